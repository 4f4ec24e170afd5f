using System.Text.Json;

namespace Vigil.Client;

/// <summary>
/// A check's lease held by this process, from <see cref="VigilClient.AcquireLeaseAsync"/>. While held it is
/// renewed every third of its TTL in the background, on the client's <see cref="TimeProvider"/>. When Vigil
/// says it is gone (410: it expired or was taken over) <see cref="Lost"/> is cancelled: the job must stop
/// acting on what the lease protected. End it with <see cref="ReleaseAsync"/>; disposing it without a release
/// releases it as <c>fail</c>, so a job that dies on an exception is not reported as a success.
/// </summary>
public sealed class VigilLease : IAsyncDisposable
{
    private const string DisposedMessage = "the lease was disposed without a release";

    private readonly VigilClient _client;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _renewal;
    private DateTimeOffset? _expiresAt;
    private bool _released;
    private int _timersArmed;

    internal VigilLease(VigilClient client, string check, TimeSpan ttl, LeaseGrant? grant)
    {
        _client = client;
        Check = check;
        // A third of the TTL leaves two more chances before expiry when one renewal fails.
        _interval = ttl / 3;
        Token = grant?.Token;
        FencingToken = grant?.FencingToken;
        Rid = grant?.Rid;
        _expiresAt = grant?.ExpiresAt;
        _renewal = grant is null ? Task.CompletedTask : Task.Run(() => RenewLoopAsync(_stop.Token));
    }

    /// <summary>The check whose lease this is.</summary>
    public string Check { get; }

    /// <summary>The lease token; null when the lease is not monitored.</summary>
    public string? Token { get; }

    /// <summary>One higher than any token Vigil issued before for this check: pass it along with writes so a
    /// store can refuse a stale holder. Null when the lease is not monitored.</summary>
    public long? FencingToken { get; }

    /// <summary>The run this lease records; null when the lease is not monitored.</summary>
    public Guid? Rid { get; }

    /// <summary>When the lease expires unless renewed, as of the last renewal; null when not monitored.</summary>
    public DateTimeOffset? ExpiresAt
    {
        get
        {
            lock (_gate)
            {
                return _expiresAt;
            }
        }
    }

    /// <summary>False when Vigil could not be reached at acquire time and the job runs unmonitored.</summary>
    public bool IsMonitored => Token is not null;

    /// <summary>Cancelled when Vigil says the lease is gone (410, or the check was deleted): stop acting on it.
    /// Never cancelled by an outage of Vigil, nor by a release.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Whether <see cref="ReleaseAsync"/> or <see cref="DisposeAsync"/> has ended the lease.</summary>
    public bool IsReleased
    {
        get
        {
            lock (_gate)
            {
                return _released;
            }
        }
    }

    /// <summary>How many renewal timers the background loop has armed so far (a seam for tests on a fake
    /// clock: time may move once the next timer is armed, not while a renewal is in flight).</summary>
    internal int TimersArmed => Volatile.Read(ref _timersArmed);

    /// <summary>
    /// Stops the renewals and releases the lease with <paramref name="outcome"/>. Only the first call acts.
    /// </summary>
    /// <param name="outcome">How the job went.</param>
    /// <param name="exitCode">The job's exit status, 0 to 255.</param>
    /// <param name="message">One line on how it went (Vigil keeps 1,000 characters).</param>
    /// <param name="log">The output's tail, kept as the run's log.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>True when Vigil recorded the release as the lease's end; false when the lease was already gone
    /// (the outcome is then recorded as a late report), not monitored, already released, or Vigil could not be
    /// reached and <see cref="VigilClientOptions.FailOpen"/> (a warning says which).</returns>
    public async Task<bool> ReleaseAsync(LeaseOutcome outcome, int? exitCode = null, string? message = null, string? log = null,
        DateTimeOffset? dataTs = null, CancellationToken ct = default)
    {
        if (exitCode is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(exitCode), exitCode, "an exit status is between 0 and 255");
        }

        lock (_gate)
        {
            if (_released)
            {
                return false;
            }

            _released = true;
        }

        await StopRenewingAsync().ConfigureAwait(false);
        if (Token is not { } token)
        {
            return false;
        }

        var what = outcome == LeaseOutcome.Success ? "success" : "fail";
        try
        {
            if (await _client.ReleaseAsync(Check, token, outcome, exitCode, message, log, dataTs, ct).ConfigureAwait(false))
            {
                return true;
            }

            MonitoringLog.ReleasedLate(_client.Logger, Check, what);
            return false;
        }
        catch (Exception ex) when (_client.FailOpen && ex is VigilUnreachableException or VigilApiException)
        {
            MonitoringLog.ReleaseNotRecorded(_client.Logger, what, Check, ex.Message);
            return false;
        }
    }

    /// <summary>Releases as <c>fail</c> unless <see cref="ReleaseAsync"/> was called, then frees the lease's
    /// resources. Never throws for an outage of Vigil.</summary>
    /// <returns>A task that completes when the lease is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!IsReleased)
        {
            if (IsMonitored)
            {
                MonitoringLog.DisposedWithoutRelease(_client.Logger, Check);
            }

            try
            {
                await ReleaseAsync(LeaseOutcome.Fail, message: DisposedMessage).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is VigilUnreachableException or VigilApiException)
            {
                // FailOpen is off, yet a dispose must not throw: the job's own exception, if any, matters more.
                MonitoringLog.ReleaseNotRecorded(_client.Logger, "fail", Check, ex.Message);
            }
        }

        await StopRenewingAsync().ConfigureAwait(false);
        _stop.Dispose();
        // _lost is not disposed: Lost stays readable (and its registrations valid) after the lease ends.
    }

    private async Task StopRenewingAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _renewal.ConfigureAwait(false);
    }

    private async Task RenewLoopAsync(CancellationToken stop)
    {
        while (true)
        {
            try
            {
                var due = Task.Delay(_interval, _client.Time, stop);
                // The timer exists once Delay returns: a test on a fake clock may move time from here on.
                Interlocked.Increment(ref _timersArmed);
                await due.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            DateTimeOffset? renewed;
            try
            {
                // The token makes a repeated renew harmless, so the client's pipeline may retry it.
                renewed = await _client.RenewAsync(Check, Token!, ct: stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                // The client was disposed before its lease: nothing is left to renew with.
                return;
            }
            catch (VigilApiException ex) when (ex.Status == 404)
            {
                MarkLost("the check no longer exists");
                return;
            }
            catch (Exception ex) when (ex is VigilUnreachableException or VigilApiException or JsonException)
            {
                MonitoringLog.RenewFailed(_client.Logger, Check, ex.Message, _interval);
                continue;
            }

            if (renewed is not { } expiresAt)
            {
                MarkLost("Vigil answered 410: it expired or was released");
                return;
            }

            lock (_gate)
            {
                _expiresAt = expiresAt;
            }
        }
    }

    private void MarkLost(string reason)
    {
        lock (_gate)
        {
            if (_released)
            {
                return;
            }
        }

        MonitoringLog.LeaseLost(_client.Logger, Check, reason, FencingToken);
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException ex)
        {
            // A job's callback on Lost threw; the lease is lost all the same, and the renewal loop must end cleanly.
            MonitoringLog.LostCallbackFailed(_client.Logger, Check, ex);
        }
    }
}
