using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vigil.Client;

/// <summary>The monitoring helpers: pings and leases that never break the job when Vigil is away.</summary>
public sealed partial class VigilClient
{
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly bool _failOpen = true;

    /// <summary>
    /// A client configured by <paramref name="options"/> (unset values from <c>VIGIL_URL</c> and
    /// <c>VIGIL_API_KEY</c>), with its own HttpClient: a timeout on every attempt, bounded retries only for
    /// calls that are safe to repeat. With dependency injection use
    /// <see cref="Microsoft.Extensions.DependencyInjection.VigilClientServiceCollectionExtensions.AddVigilClient"/> instead.
    /// </summary>
    /// <param name="options">Where Vigil is and how to behave when it cannot be reached.</param>
    public VigilClient(VigilClientOptions options)
        : this(null, options, null, null)
    {
    }

    /// <summary>As <see cref="VigilClient(VigilClientOptions)"/>, with a logger for the warnings and the clock.</summary>
    /// <param name="options">Where Vigil is and how to behave when it cannot be reached.</param>
    /// <param name="logger">Where warnings about an unreachable Vigil go; none when null.</param>
    /// <param name="timeProvider">The clock of lease renewals, timeouts and retry delays; the system clock when null.</param>
    public VigilClient(VigilClientOptions options, ILogger? logger, TimeProvider? timeProvider)
        : this(null, options, logger, timeProvider)
    {
    }

    /// <summary>The typed client of <see cref="Microsoft.Extensions.DependencyInjection.VigilClientServiceCollectionExtensions.AddVigilClient"/>: the
    /// factory's HttpClient carries the pipeline.</summary>
    internal VigilClient(HttpClient? http, VigilClientOptions options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _failOpen = options.FailOpen;
        var (url, key) = options.Resolve(Environment.GetEnvironmentVariable, _logger);
        _apiKey = key;
        _ownsHttp = http is null;
        _http = http ?? VigilHttpPipeline.CreateHttpClient(options.Timeout, options.MaxRetries, _time);
        _http.BaseAddress = url;
    }

    /// <summary>Who holds a lease this process takes when no holder is given: <c>host:pid</c>, as the CLI writes it.</summary>
    public static string DefaultHolder => $"{Environment.MachineName}:{Environment.ProcessId}";

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    internal bool FailOpen => _failOpen;

    /// <summary>Reports that a run of <paramref name="check"/> starts. Never throws for an outage when
    /// <see cref="VigilClientOptions.FailOpen"/> (the default): it logs a warning and returns false.</summary>
    /// <param name="check">The check's name; the client's key is used as the ping key.</param>
    /// <param name="rid">Ties this start to the run's end.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>Whether Vigil recorded the ping.</returns>
    public Task<bool> StartAsync(string check, Guid? rid = null, DateTimeOffset? dataTs = null, CancellationToken ct = default) =>
        MonitorPingAsync(check, PingKind.Start, null, rid, dataTs, null, ct);

    /// <summary>Reports a success (the end of a run when <paramref name="rid"/> names one). Never throws for an
    /// outage when <see cref="VigilClientOptions.FailOpen"/>: it logs a warning and returns false.</summary>
    /// <param name="check">The check's name; the client's key is used as the ping key.</param>
    /// <param name="rid">The run this ends, as given to <see cref="StartAsync"/>.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="body">Kept as the run's log.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>Whether Vigil recorded the ping.</returns>
    public Task<bool> SuccessAsync(string check, Guid? rid = null, DateTimeOffset? dataTs = null, string? body = null, CancellationToken ct = default) =>
        MonitorPingAsync(check, PingKind.Success, null, rid, dataTs, body, ct);

    /// <summary>Reports a failure, with an exit status when given. Never throws for an outage when
    /// <see cref="VigilClientOptions.FailOpen"/>: it logs a warning and returns false.</summary>
    /// <param name="check">The check's name; the client's key is used as the ping key.</param>
    /// <param name="rid">The run this ends, as given to <see cref="StartAsync"/>.</param>
    /// <param name="exitCode">The job's exit status, 1 to 255.</param>
    /// <param name="body">Kept as the run's log: say what went wrong.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>Whether Vigil recorded the ping.</returns>
    public Task<bool> FailAsync(string check, Guid? rid = null, int? exitCode = null, string? body = null, DateTimeOffset? dataTs = null,
        CancellationToken ct = default)
    {
        if (exitCode is < 1 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(exitCode), exitCode, "a failure's exit status is between 1 and 255");
        }

        return MonitorPingAsync(check, PingKind.Fail, exitCode, rid, dataTs, body, ct);
    }

    /// <summary>
    /// Takes the lease of <paramref name="check"/> for <paramref name="ttl"/> and renews it every third of the
    /// TTL in the background until it is released or disposed (disposing without a release releases as
    /// <c>fail</c>). Throws <see cref="VigilLeaseHeldException"/> when the lease is held elsewhere: the job must
    /// not run. When Vigil cannot be reached or refuses, and <see cref="VigilClientOptions.FailOpen"/> (the
    /// default), logs a warning and returns an unmonitored lease (<see cref="VigilLease.IsMonitored"/> false)
    /// so the job goes on.
    /// </summary>
    /// <param name="check">The check's name.</param>
    /// <param name="ttl">How long the lease lasts without a renewal (Vigil counts whole seconds).</param>
    /// <param name="holder">Names this process in Vigil's answers; <see cref="DefaultHolder"/> when null.</param>
    /// <param name="ct">Cancels the acquire only; the renewals run until release.</param>
    /// <returns>The lease, to be disposed (<c>await using</c>).</returns>
    public async Task<VigilLease> AcquireLeaseAsync(string check, TimeSpan ttl, string? holder = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(check);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        AcquireResult result;
        try
        {
            result = await AcquireAsync(check, ttl, holder ?? DefaultHolder, ct: ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (_failOpen && ex is VigilUnreachableException or VigilApiException)
        {
            MonitoringLog.LeaseUnmonitored(_logger, check, ex.Message);
            return new VigilLease(this, check, ttl, null);
        }

        if (result.Grant is not { } grant)
        {
            throw new VigilLeaseHeldException(check, result.Holders);
        }

        return new VigilLease(this, check, ttl, grant);
    }

    private async Task<bool> MonitorPingAsync(string check, PingKind kind, int? exitCode, Guid? rid, DateTimeOffset? dataTs, string? body,
        CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(check);
        var what = exitCode is { } code ? $"exit {code}" : kind.ToString().ToLowerInvariant();
        if (string.IsNullOrEmpty(_apiKey))
        {
            const string NoKey = "pinging by check name needs an API key: set VigilClientOptions.ApiKey or VIGIL_API_KEY";
            if (!_failOpen)
            {
                throw new InvalidOperationException(NoKey);
            }

            MonitoringLog.PingNotRecorded(_logger, what, check, NoKey);
            return false;
        }

        try
        {
            await PingAsync(check, kind, exitCode, rid, dataTs, body, ct: ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (_failOpen && ex is VigilUnreachableException or VigilApiException)
        {
            MonitoringLog.PingNotRecorded(_logger, what, check, ex.Message);
            return false;
        }
    }
}
