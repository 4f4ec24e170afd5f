using Vigil.Domain.Checks;

namespace Vigil.Domain.Modes;

/// <summary>
/// The config file's checks with every declared mode's overrides, and which mode the file (or VIGIL_MODE) selects.
/// Which mode runs: VIGIL_MODE when set (an operator forcing a mode at deploy), else the mode last chosen through
/// the API while it is still declared, else the file's <c>mode:</c>.
/// </summary>
public sealed record ModeSet
{
    public static readonly ModeSet None = new([], new Dictionary<string, IReadOnlyList<CheckDefinition>>(), null, false);

    public ModeSet(IReadOnlyList<CheckDefinition> checks, IReadOnlyDictionary<string, IReadOnlyList<CheckDefinition>> checksByMode,
        string? selected, bool forcedByEnvironment)
    {
        Checks = checks;
        ChecksByMode = checksByMode;
        Selected = selected;
        ForcedByEnvironment = forcedByEnvironment;
    }

    /// <summary>The checks as the file declares them in <see cref="Selected"/> (all of them when no modes are declared).</summary>
    public IReadOnlyList<CheckDefinition> Checks { get; }

    /// <summary>Every declared mode with the complete list of checks while in it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<CheckDefinition>> ChecksByMode { get; }

    /// <summary>The file's <c>mode:</c>, or VIGIL_MODE when set; null when no modes are declared.</summary>
    public string? Selected { get; }

    /// <summary>True when <see cref="Selected"/> came from VIGIL_MODE: it then wins over a choice made through the API.</summary>
    public bool ForcedByEnvironment { get; }

    /// <summary>The declared modes, in file order.</summary>
    public IReadOnlyList<string> Names => [.. ChecksByMode.Keys];

    public bool Declares(string mode) => ChecksByMode.ContainsKey(mode);

    /// <summary>The mode to run, given the one last chosen through the API (null if none).</summary>
    public string? Resolve(string? chosen) =>
        ChecksByMode.Count == 0 ? null
        : ForcedByEnvironment ? Selected
        : chosen is not null && Declares(chosen) ? chosen
        : Selected;

    public IReadOnlyList<CheckDefinition> ChecksIn(string? mode) =>
        mode is not null && ChecksByMode.TryGetValue(mode, out var checks) ? checks : Checks;
}
