using Vigil.Domain.Modes;

namespace Vigil.Server.Engine;

/// <summary>What readers see of modes: the declared set, the running mode, and the one chosen through the API.</summary>
internal sealed record ModeView(ModeSet Set, string? Mode, string? Chosen)
{
    /// <summary>Why <see cref="Mode"/> runs: <c>environment</c> (VIGIL_MODE), <c>api</c> (chosen through the API) or
    /// <c>config</c> (the file's <c>mode:</c>); null when no modes are declared.</summary>
    public string? Source =>
        Mode is null ? null
        : Set.ForcedByEnvironment && Mode == Set.Selected ? "environment"
        : Chosen == Mode ? "api"
        : "config";
}
