using Vigil.Configuration.Receivers;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;

namespace Vigil.Configuration;

/// <summary>A loaded, fully validated <c>vigil.yaml</c>: every path is absolute, every default applied,
/// every reference checked.</summary>
public sealed record VigilConfig
{
    /// <summary>The absolute path of the file it came from; null for <see cref="Default"/>.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The selected mode (<c>mode</c>, overridden by the environment variable VIGIL_MODE); null
    /// when no modes are declared.</summary>
    public string? Mode { get; init; }

    /// <summary>True when <see cref="Mode"/> came from VIGIL_MODE: the server then runs it whatever mode was chosen
    /// through the API before (how an operator forces a mode at deploy).</summary>
    public bool ModeFromEnvironment { get; init; }

    public IReadOnlyDictionary<string, ModeConfig> Modes { get; init; } = new Dictionary<string, ModeConfig>();
    public required ServerOptions Server { get; init; }
    public required StorageOptions Storage { get; init; }
    public required PingOptions Ping { get; init; }
    public MetricsOptions Metrics { get; init; } = new();
    public AuditOptions Audit { get; init; } = new();

    /// <summary>The <c>defaults</c> section; also what a check created through the API starts from.</summary>
    public required CheckTemplate Defaults { get; init; }

    /// <summary>The declared checks, <c>ManagedBy = Config</c>, in file order, with defaults applied and the
    /// selected <see cref="Mode"/>'s overrides applied. A <c>Uuid</c> of <see cref="Guid.Empty"/> means the file
    /// does not pin one (the store keeps the one it generated).</summary>
    public IReadOnlyList<CheckDefinition> Checks => ChecksIn(Mode);

    /// <summary>The declared checks without any mode's overrides.</summary>
    public IReadOnlyList<CheckDefinition> BaseChecks { get; init; } = [];

    public IReadOnlyDictionary<string, ReceiverConfig> Receivers { get; init; } = new Dictionary<string, ReceiverConfig>();

    /// <summary>Routes with their delivery settings (failover, grouping, repeats), in file order.</summary>
    public IReadOnlyList<RouteConfig> RouteSettings { get; init; } = [];

    /// <summary>The routes as the domain <see cref="Router"/> takes them.</summary>
    public IReadOnlyList<Route> Routes => [.. RouteSettings.Select(r => r.ToRoute())];

    /// <summary>Per receiver rate limits (<c>limits</c>).</summary>
    public IReadOnlyDictionary<string, Rate> Limits { get; init; } = new Dictionary<string, Rate>();

    public IReadOnlyList<ConfigApiKey> ApiKeys { get; init; } = [];
    public IReadOnlyList<SilenceConfig> Silences { get; init; } = [];
    public IReadOnlyDictionary<string, RemediationConfig> Remediations { get; init; } = new Dictionary<string, RemediationConfig>();
    public IReadOnlyDictionary<string, BreakerConfig> Breakers { get; init; } = new Dictionary<string, BreakerConfig>();
    public IReadOnlyDictionary<string, GateConfig> Gates { get; init; } = new Dictionary<string, GateConfig>();

    /// <summary>The checks as they are while in <paramref name="mode"/> (null or unknown: the base checks).</summary>
    public IReadOnlyList<CheckDefinition> ChecksIn(string? mode) =>
        mode is not null && Modes.TryGetValue(mode, out var m) && m.Checks.Count > 0
            ? [.. BaseChecks.Select(c => m.Checks.TryGetValue(c.Name, out var overridden) ? overridden : c)]
            : BaseChecks;

    /// <summary>What <c>vigil serve</c> runs with no configuration file: nothing declared, SQLite in
    /// <paramref name="dataDirectory"/> (made absolute against the current directory).</summary>
    public static VigilConfig Default(string dataDirectory)
    {
        var data = Path.GetFullPath(dataDirectory);
        var defaults = new CheckTemplate(new CheckDefinition { Name = CheckTemplate.PlaceholderName, ManagedBy = ManagedBy.Api });
        return new VigilConfig
        {
            Server = new ServerOptions { DataDirectory = data },
            Storage = StorageOptions.SqliteIn(data),
            Ping = new PingOptions
            {
                AutoCreate = new CheckTemplate(defaults.Settings with { Every = TimeSpan.FromDays(1), Grace = TimeSpan.FromHours(1) }),
            },
            Defaults = defaults,
        };
    }
}
