using Vigil.Domain.Checks;

namespace Vigil.Configuration;

/// <summary>Which alerts a route or a silence is about. Every given condition must hold; an empty match
/// matches everything.</summary>
public sealed record AlertMatch
{
    public static readonly AlertMatch All = new();

    public string? Check { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public Severity? Severity { get; init; }

    /// <summary>Alert kinds (down, data_stale, …); empty: all.</summary>
    public IReadOnlyList<string> Alerts { get; init; } = [];
}
