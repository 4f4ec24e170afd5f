using Vigil.Domain.Checks;
using Route = Vigil.Domain.Notifications.Route;
using Vigil.Domain.Security;

namespace Vigil.Server;

/// <summary>Everything the server needs to run, already validated. Built from vigil.yaml (or defaults) by the host.</summary>
public sealed record ServerSettings
{
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    public string Urls { get; init; } = "http://127.0.0.1:8470";
    public required string DataDirectory { get; init; }
    public string? SqlitePath { get; init; }
    public string? PostgresConnectionString { get; init; }
    public string? PublicUrl { get; init; }
    public TimeSpan StartupGrace { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;
    public PingSettings Ping { get; init; } = new();

    /// <summary>How long the audit log keeps an entry (<c>audit.retention</c>); older ones are pruned in the background.</summary>
    public TimeSpan AuditRetention { get; init; } = Vigil.Configuration.AuditOptions.DefaultRetention;
    public IReadOnlyList<CheckDefinition> Checks { get; init; } = [];

    /// <summary>The config's <c>defaults:</c> as a template; checks created through the API start from it.</summary>
    public CheckDefinition Defaults { get; init; } = new() { Name = "defaults" };

    /// <summary>True when a config file declared the checks: checks it no longer names are removed at start.</summary>
    public bool ChecksFromConfig { get; init; }
    public IReadOnlyList<ReceiverSettings> Receivers { get; init; } = [];
    public IReadOnlyList<Route> Routes { get; init; } = [];

    /// <summary>Messages per period each named receiver may be sent (config <c>limits:</c>); what waits is folded into
    /// the next digest, never dropped.</summary>
    public IReadOnlyDictionary<string, ReceiverLimit> Limits { get; init; } = new Dictionary<string, ReceiverLimit>(StringComparer.Ordinal);

    /// <summary>How long a receiver may keep failing a row before the route's failover receivers and the last resort
    /// are tried (see <c>DispatcherOptions.FailoverAfter</c>).</summary>
    public TimeSpan FailoverAfter { get; init; } = Delivery.DispatcherOptions.DefaultFailoverAfter;
    public IReadOnlyList<ApiKey> ApiKeys { get; init; } = [];

    /// <summary>The config's recurring silences (<c>silences:</c>).</summary>
    public IReadOnlyList<Domain.Notifications.MaintenanceWindow> MaintenanceWindows { get; init; } = [];

    /// <summary>The config's shared circuit breakers and gates; applied at start and on reload with the checks.</summary>
    public IReadOnlyList<Vigil.Domain.Breakers.BreakerDefinition> Breakers { get; init; } = [];
    public IReadOnlyList<Vigil.Domain.Gates.GateDefinition> Gates { get; init; } = [];

    /// <summary>True when breakers and gates are declared by a config: ones it no longer names are removed at start.</summary>
    public bool PoliciesFromConfig => ChecksFromConfig || Breakers.Count > 0 || Gates.Count > 0;

    /// <summary>Where the config came from, for logs; null when running on defaults.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The mode the file's <c>mode:</c> (or VIGIL_MODE) selects; null when no modes are declared.
    /// <see cref="Checks"/> are the checks in this mode.</summary>
    public string? Mode { get; init; }

    /// <summary>True when <see cref="Mode"/> came from VIGIL_MODE, which wins over a mode chosen through the API.</summary>
    public bool ModeFromEnvironment { get; init; }

    /// <summary>Every declared mode with the complete list of checks while in it; empty when no modes are declared.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<CheckDefinition>> ChecksByMode { get; init; } = new Dictionary<string, IReadOnlyList<CheckDefinition>>();

    /// <summary>The checks and modes the writer applies (nothing when no config file declares the checks).</summary>
    public Domain.Modes.ModeSet ModeSet => ChecksFromConfig ? new(Checks, ChecksByMode, Mode, ModeFromEnvironment) : Domain.Modes.ModeSet.None;

    public string EffectiveSqlitePath => SqlitePath ?? Path.Combine(DataDirectory, "vigil.db");
}

public sealed record PingSettings
{
    public int BodyLimit { get; init; } = 100_000;

    /// <summary>Pings per second allowed per check; also the burst.</summary>
    public double RateLimitPerSecond { get; init; } = 10;
    public bool Always200 { get; init; }

    /// <summary>How many checks <c>?create=1</c> pings may create; 0 means no limit.</summary>
    public int AutoCreateLimit { get; init; } = 1000;
    public CheckDefinition AutoCreate { get; init; } = new() { Name = "auto", Every = TimeSpan.FromDays(1), Grace = TimeSpan.FromHours(1) };
}

/// <summary>A receiver as the server builds it: <see cref="Options"/> when built from the config; a webhook or file
/// receiver may still be given by <c>Url</c>/<c>Secret</c>/<c>Path</c> alone.</summary>
public sealed record ReceiverSettings(string Name, string Kind, string? Url = null, string? Secret = null, string? Path = null)
{
    public Vigil.Receivers.ReceiverOptions? Options { get; init; }

    /// <summary>Never the URL, secret or options: they may hold tokens.</summary>
    public override string ToString() => $"{Kind} receiver '{Name}'";
}
