using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using Vigil.Server.Configuration;
using Vigil.Server.Delivery;
using Vigil.Server.Engine;
using Vigil.Server.Http;
using Vigil.Server.Security;

namespace Vigil.Server;

/// <summary>Test and embedding seams. Production uses the defaults: the system clock and a shared random source.</summary>
public sealed record VigilServerOptions
{
    public TimeProvider? Time { get; init; }
    public Random? Random { get; init; }

    /// <summary>Ids and tokens; default <see cref="Entropy.Secure"/>. A seeded one makes runs reproducible in tests.</summary>
    public Entropy? Entropy { get; init; }
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>When set, the server reloads this config on SIGHUP and when the file changes.</summary>
    public ConfigSource? ReloadFrom { get; init; }

    /// <summary>Where reload outcomes are reported (a CLI prints them on stderr); default: the log.</summary>
    public Action<string>? ReportReload { get; init; }

    /// <summary>Wraps the store the server opens: a seam for fault injection in tests (a store that refuses writes).</summary>
    public Func<IVigilStore, IVigilStore>? WrapStore { get; init; }

    /// <summary>How many commands may wait for the writer. The default is <see cref="EvaluatorLoop.DefaultQueueCapacity"/>.</summary>
    public int? QueueCapacity { get; init; }

    /// <summary>How long a request may wait for the writer loop. The default is <see cref="EvaluatorLoop.DefaultCommandTimeout"/>.</summary>
    public TimeSpan? CommandTimeout { get; init; }

    /// <summary>How many probe runs may go at once. The default is <see cref="ProbeScheduler.DefaultConcurrency"/>.</summary>
    public int? ProbeConcurrency { get; init; }

    /// <summary>Wraps every receiver built from the configuration: a test seam for failures that real receivers
    /// cannot be made to produce (a receiver throwing).</summary>
    public Func<Vigil.Receivers.IReceiver, Vigil.Receivers.IReceiver>? WrapReceiver { get; init; }
}

/// <summary>
/// The Vigil server: opens the store (refusing to run without it), loads the live state, starts the writer
/// loop, the outbox dispatcher and Kestrel. Shutdown drains Kestrel first, then flushes the loop.
/// </summary>
public sealed class VigilServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EvaluatorLoop _loop;
    private readonly IVigilStore _store;
    private ConfigReloader? _reloader;
    private bool _stopped;

    private VigilServer(WebApplication app, EvaluatorLoop loop, IVigilStore store)
    {
        _app = app;
        _loop = loop;
        _store = store;
    }

    /// <summary>The addresses Kestrel listens on (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    public IServiceProvider Services => _app.Services;

    /// <summary>Why the server stopped itself (its writer gave up), or null. A host exits non-zero when set.</summary>
    public string? FatalReason { get; private set; }

    /// <exception cref="StoreUnavailableException">The store cannot be opened or migrated.</exception>
    public static async Task<VigilServer> StartAsync(ServerSettings settings, VigilServerOptions? options = null, CancellationToken ct = default)
    {
        options ??= new VigilServerOptions();
        var time = options.Time ?? TimeProvider.System;
        var store = StoreFactory.Create(settings, time);
        if (options.WrapStore is { } wrap)
        {
            store = wrap(store);
        }

        try
        {
            await store.OpenAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var app = Build(settings, options, time, store);
        var loop = app.Services.GetRequiredService<EvaluatorLoop>();
        var server = new VigilServer(app, loop, store);
        try
        {
            var stored = await loop.InitializeAsync(ct).ConfigureAwait(false);
            await LoadKeysAsync(app.Services, settings, stored.Keys, store, time, ct).ConfigureAwait(false);
            await loop.StartAsync(ct).ConfigureAwait(false);
            await app.Services.GetRequiredService<ProbeScheduler>().StartAsync().ConfigureAwait(false);
            await app.StartAsync(ct).ConfigureAwait(false);
            _ = server.StopWhenWriterGivesUpAsync();
            if (options.ReloadFrom is { } source)
            {
                var log = app.Services.GetRequiredService<ILogger<VigilServer>>();
                server._reloader = new ConfigReloader(server, source, options.ReportReload ?? (message => Log.Reload(log, message)), time);
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var urls = string.Join(", ", server.Addresses);
        Log.Listening(app.Services.GetRequiredService<ILogger<VigilServer>>(), urls, server.Addresses.FirstOrDefault() + "/");
        return server;
    }

    /// <summary>A writer that gave up leaves nothing to serve: stop the host so the process exits non-zero and a
    /// supervisor restarts it, instead of answering 503 forever.</summary>
    private async Task StopWhenWriterGivesUpAsync()
    {
        var reason = await _loop.Fatal.ConfigureAwait(false);
        FatalReason = reason;
        _app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
    }

    /// <summary>Reloads the config this server was started with (as SIGHUP does); null when it has none.</summary>
    public Task<string>? ReloadConfigAsync(string why) => _reloader?.ReloadAsync(why);

    /// <summary>Returns when the host is asked to stop (SIGTERM, SIGINT), after draining and flushing.</summary>
    public async Task WaitForShutdownAsync(CancellationToken ct = default)
    {
        await _app.WaitForShutdownAsync(ct).ConfigureAwait(false);
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a reloaded configuration: declared checks, routes, receivers and config keys change in one writer
    /// batch, or nothing changes (a conflict is thrown as <see cref="ConfigConflictException"/>). What needs a
    /// restart (listen addresses, storage, data directory, ping settings) is named in the returned sentence.
    /// </summary>
    public async Task<string> ReloadAsync(ServerSettings next)
    {
        var current = _app.Services.GetRequiredService<ServerSettings>();
        var receivers = _app.Services.GetRequiredService<ReceiverRegistry>();
        var keys = _app.Services.GetRequiredService<ApiKeyRegistry>();
        var result = await _loop.ReloadAsync(next.ModeSet, new Domain.Notifications.Router(next.Routes), next.MaintenanceWindows, () =>
        {
            receivers.Replace(next);
            keys.ReplaceConfigKeys(next.ApiKeys);
        }, next.Breakers, next.Gates).ConfigureAwait(false);
        _app.Services.GetRequiredService<AuditRetention>().Retention = next.AuditRetention;
        await _app.Services.GetRequiredService<OutboxDispatcher>().SyncReceiversAsync(CancellationToken.None).ConfigureAwait(false);
        var needRestart = new List<string>();
        if (next.Urls != current.Urls) needRestart.Add("server.urls");
        if (next.DataDirectory != current.DataDirectory) needRestart.Add("server.data");
        if (next.EffectiveSqlitePath != current.EffectiveSqlitePath || next.PostgresConnectionString != current.PostgresConnectionString) needRestart.Add("storage");
        if (next.Ping != current.Ping) needRestart.Add("ping");
        if (next.PublicUrl != current.PublicUrl) needRestart.Add("server.public_url");
        if (next.StartupGrace != current.StartupGrace || next.ShutdownTimeout != current.ShutdownTimeout) needRestart.Add("server timings");
        return $"reloaded: {next.Checks.Count} checks declared ({result.Created} created, {result.Changed} changed, {result.Removed} removed), " +
               $"{next.Receivers.Count} receivers, {next.Routes.Count} routes, {next.Breakers.Count} breakers, {next.Gates.Count} gates" +
               (needRestart.Count > 0 ? $"; restart to apply {string.Join(", ", needRestart)}" : "");
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _reloader?.Dispose();
        // Kestrel first: in-flight requests finish (up to shutdown_timeout) and still reach the loop. Then the probe
        // runs stop (their checks stay in flight and run again after the next start), then the loop flushes.
        await _app.StopAsync().ConfigureAwait(false);
        await _app.Services.GetRequiredService<ProbeScheduler>().StopAsync().ConfigureAwait(false);
        await _loop.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            // The container owns the loop and the dispatcher and disposes them with the app.
            await _app.DisposeAsync().ConfigureAwait(false);
            await _store.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task LoadKeysAsync(IServiceProvider services, ServerSettings settings, IReadOnlyList<ApiKey> storedKeys,
        IVigilStore store, TimeProvider time, CancellationToken ct)
    {
        var registry = services.GetRequiredService<ApiKeyRegistry>();
        foreach (var key in storedKeys)
        {
            registry.Set(key);
        }

        foreach (var key in settings.ApiKeys)
        {
            registry.Set(key with { FromConfig = true });
        }

        await AdminKeyBootstrap.EnsureAsync(registry, store, settings.DataDirectory, time,
            services.GetRequiredService<ILogger<VigilServer>>(), ct).ConfigureAwait(false);
    }

    private static WebApplication Build(ServerSettings settings, VigilServerOptions options, TimeProvider time, IVigilStore store)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Vigil", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = Math.Max(10L << 20, (long)settings.Ping.BodyLimit * 4);
            limits.MaxRequestHeadersTotalSize = 32 * 1024;
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MaxConcurrentConnections = 10_000;
            kestrel.AddServerHeader = false;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(settings.Ping);
        services.AddSingleton(time);
        services.AddSingleton(store);
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton(options.Entropy ?? Entropy.Secure);
        services.AddSingleton<ReadModel>();
        services.AddSingleton<ProbeQueue>();
        services.AddSingleton(sp => new EvaluatorLoop(sp.GetRequiredService<IVigilStore>(), time, sp.GetRequiredService<Entropy>(), settings,
            sp.GetRequiredService<ILogger<EvaluatorLoop>>(), sp.GetRequiredService<OutboxSignal>(), sp.GetRequiredService<ReadModel>(),
            options.QueueCapacity ?? EvaluatorLoop.DefaultQueueCapacity, sp.GetRequiredService<ProbeQueue>())
        {
            CommandTimeout = options.CommandTimeout ?? EvaluatorLoop.DefaultCommandTimeout,
        });
        services.AddSingleton(sp => new ProbeScheduler(sp.GetRequiredService<ProbeQueue>(), sp.GetRequiredService<EvaluatorLoop>(), time,
            sp.GetRequiredService<ILogger<ProbeScheduler>>(), options.ProbeConcurrency ?? ProbeScheduler.DefaultConcurrency));
        services.AddSingleton<PingRateLimiter>();
        services.AddSingleton(new Backoff(options.Random ?? Random.Shared));
        services.AddSingleton(sp => new ReceiverRegistry(settings, sp.GetRequiredService<IHttpClientFactory>(), time, options.WrapReceiver));
        services.AddSingleton<IDeliveryRecorder>(sp => sp.GetRequiredService<EvaluatorLoop>());
        services.AddSingleton(new DispatcherOptions { ReleaseClaimsAtStart = store.Capabilities.SingleNode, FailoverAfter = settings.FailoverAfter });
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<AuditRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
        services.AddSingleton<ReceiverTest>();
        // The factory's per-request log handlers only ever wrote at Information (filtered out above) yet cost a scope and
        // two handler hops per delivery; a delivery's outcome is logged by the lane, with the receiver's name and reason.
        services.AddHttpClient(ReceiverRegistry.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = FillDetail);
        services.AddOpenApi();

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync, StatusCodeSelector = StatusFor });
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapOperations();
        app.MapPings();
        app.MapLeases();
        app.MapChecks();
        app.MapKeys();
        app.MapSilences();
        app.MapModes();

        app.MapBreakers();
        app.MapGates();
        app.MapAudit();
        app.MapNotifications();
        app.MapIntegrations();
        app.MapReceivers();
        return app;
    }

    /// <summary>The spec promises a <c>detail</c> in every problem; the ones ASP.NET Core writes itself (unknown route,
    /// wrong method) have none. The path is not echoed: a ping URL carries a key.</summary>
    private static void FillDetail(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => "nothing is at this path; the routes are listed in /openapi/v1.json",
            StatusCodes.Status405MethodNotAllowed => $"this route does not accept {context.HttpContext.Request.Method}; the routes are listed in /openapi/v1.json",
            { } status => ReasonPhrases.GetReasonPhrase(status),
            null => "the request could not be served",
        };
    }

    /// <summary>A slug ping URL carries a ping key in its second segment; it never goes into a log line.</summary>
    internal static string LoggablePath(PathString path)
    {
        var text = path.Value ?? "";
        if (!text.StartsWith("/ping/", StringComparison.Ordinal))
        {
            return text;
        }

        var segments = text.Split('/');
        if (segments.Length > 2 && !Guid.TryParseExact(segments[2], "D", out _))
        {
            segments[2] = "<key>";
        }

        return string.Join('/', segments);
    }

    private static int StatusFor(Exception ex) => ex switch
    {
        Microsoft.AspNetCore.Http.BadHttpRequestException bad => bad.StatusCode,
        ServiceUnavailableException or StoreUnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static async Task HandleExceptionAsync(HttpContext ctx)
    {
        var error = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = error is null ? 500 : StatusFor(error);
        if (error is ServiceUnavailableException { RetryAfter: { } retryAfter })
        {
            ctx.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        IResult result = status switch
        {
            StatusCodes.Status503ServiceUnavailable => Problems.Unavailable(error!.Message),
            >= 500 => Results.Problem(type: "https://vigil.dev/problems/internal", title: "Vigil itself is broken",
                statusCode: status, detail: $"an internal error ({error?.GetType().Name}) stopped this request; it was logged"),
            _ => Results.Problem(type: "https://vigil.dev/problems/bad-request", title: "Bad request", statusCode: status, detail: error!.Message),
        };
        if (status >= 500 && status != 503 && error is not null)
        {
            Log.Unhandled(ctx.RequestServices.GetRequiredService<ILogger<VigilServer>>(), error, ctx.Request.Method, LoggablePath(ctx.Request.Path));
        }

        await result.ExecuteAsync(ctx).ConfigureAwait(false);
    }
}
