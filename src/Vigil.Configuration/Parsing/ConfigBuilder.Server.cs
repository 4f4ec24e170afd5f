namespace Vigil.Configuration.Parsing;

internal sealed partial class ConfigBuilder
{
    private static readonly string[] ServerKeys = ["urls", "data", "public_url", "startup_grace", "shutdown_timeout"];
    private static readonly string[] StorageKeys = ["sqlite", "postgres"];
    private static readonly string[] PingKeys = ["body_limit", "rate_limit", "always_200", "auto_create", "auto_create_limit"];
    private static readonly string[] MetricsKeys = ["public"];
    private static readonly string[] AuditKeys = ["retention"];

    private ServerOptions ReadServer(MappingReader root)
    {
        var r = root.Read("server", ServerKeys);
        var data = r?.String("data") is { } d ? ResolvePath(d) : ResolvePath("data");
        var options = new ServerOptions { DataDirectory = data };
        if (r is null)
        {
            return options;
        }

        return options with
        {
            Urls = ReadUrls(r) ?? ServerOptions.DefaultUrls,
            PublicUrl = r.Url("public_url"),
            StartupGrace = r.Duration("startup_grace") ?? ServerOptions.DefaultStartupGrace,
            ShutdownTimeout = r.PositiveDuration("shutdown_timeout") ?? ServerOptions.DefaultShutdownTimeout,
        };
    }

    /// <summary><c>urls</c>: one URL, several separated by ';', or a list.</summary>
    private string? ReadUrls(MappingReader r)
    {
        if (r.Strings("urls") is not { } given)
        {
            return null;
        }

        var urls = new List<string>();
        foreach (var (node, value) in given)
        {
            foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(part, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    urls.Add(part);
                }
                else
                {
                    var shown = node.FromEnvironment ? "the value" : $"'{part}'";
                    _problems.Add(node, $"{r.Sub("urls")}: {shown} is not a listen address such as http://127.0.0.1:8470");
                }
            }
        }

        return urls.Count == 0 ? null : string.Join(';', urls);
    }

    private StorageOptions ReadStorage(MappingReader root, string dataDirectory)
    {
        var fallback = StorageOptions.SqliteIn(dataDirectory);
        if (root.Read("storage", StorageKeys) is not { } r)
        {
            return fallback;
        }

        var given = StorageKeys.Where(r.Present).ToList();
        if (given.Count != 1)
        {
            _problems.Add(given.Count == 0 ? r.Mapping : r.Key(given[1])!, "storage: give exactly one of sqlite: PATH or postgres: CONNECTION-STRING");
        }

        if (r.Present("sqlite") && r.String("sqlite") is { } sqlite)
        {
            return fallback with { SqlitePath = ResolvePath(sqlite) };
        }

        if (r.Present("postgres") && r.String("postgres", secret: true) is { } connection)
        {
            return new StorageOptions { Provider = StorageProvider.Postgres, PostgresConnectionString = new Secret(connection) };
        }

        return fallback;
    }

    private PingOptions ReadPing(MappingReader root, CheckLayers defaults)
    {
        var r = root.Read("ping", PingKeys);
        var autoCreate = defaults.Definition with { Every = TimeSpan.FromDays(1), Cron = null, Grace = TimeSpan.FromHours(1) };
        if (r?.Read("auto_create", CheckKeys.AutoCreate) is { } ar)
        {
            autoCreate = ApplyLayer(autoCreate, ar, CheckScope.AutoCreate, selfName: null);
            ReportValidation(autoCreate, ar, defaults.Reader is { } dr ? [dr] : [], ar.Mapping);
        }

        var options = new PingOptions { AutoCreate = new CheckTemplate(autoCreate) };
        if (r is null)
        {
            return options;
        }

        return options with
        {
            BodyLimit = r.Int("body_limit", min: 1) ?? PingOptions.DefaultBodyLimit,
            RateLimit = r.Rate("rate_limit") ?? PingOptions.DefaultRateLimit,
            Always200 = r.Bool("always_200") ?? false,
            AutoCreateLimit = r.Int("auto_create_limit", min: 0) ?? PingOptions.DefaultAutoCreateLimit,
        };
    }

    private AuditOptions ReadAudit(MappingReader root) =>
        root.Read("audit", AuditKeys)?.PositiveDuration("retention") is { } retention ? new AuditOptions { Retention = retention } : new AuditOptions();

    private MetricsOptions ReadMetrics(MappingReader root) =>
        root.Read("metrics", MetricsKeys) is { } r ? new MetricsOptions { Public = r.Bool("public") ?? false } : new MetricsOptions();
}
