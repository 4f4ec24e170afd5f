using Vigil.Domain.Probes;

namespace Vigil.Probes;

/// <summary>
/// Runs a reader within its timeout and judges what it read. The timeout is enforced here, once for every kind,
/// on the injected clock: a reader that hangs (a blackholed host, a query that never returns) is abandoned at
/// the timeout and its cancellation token fired so it stops; the reader then gets a short while to clean up (a
/// command's process tree is killed) before the result is returned.
/// </summary>
internal sealed class JudgedProbe(IProbeReader reader, ProbeRules rules, TimeSpan timeout, TimeProvider time, string describe) : IProbe
{
    /// <summary>How long a reader cut at its timeout may take to stop. The default value is 2 seconds.</summary>
    private static readonly TimeSpan CleanUp = TimeSpan.FromSeconds(2);

    public string Describe => describe;

    public async Task<Measurement> MeasureAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Task.Run: a reader that blocks before its first await (a synchronous driver) must not hold up the timeout.
        var reading = Task.Run(() => reader.ReadAsync(run.Token), CancellationToken.None);
        ProbeReading result;
        try
        {
            result = await reading.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await run.CancelAsync().ConfigureAwait(false);
            await Settle(reading).ConfigureAwait(false);
            result = ProbeReading.Unmeasurable(time.GetUtcNow(), reader.Subject, reader.TimedOut(timeout));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await run.CancelAsync().ConfigureAwait(false);
            await Settle(reading).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A probe's job is to report: an unforeseen failure of one probe is its result, not a crash of the scheduler.
            result = ProbeReading.Unmeasurable(time.GetUtcNow(), reader.Subject, $"{reader.Subject} failed: {ex.Message}");
        }

        return ProbeJudge.Judge(result, rules);
    }

    public ValueTask DisposeAsync() => reader.DisposeAsync();

    private async Task Settle(Task task)
    {
        try
        {
            await task.WaitAsync(CleanUp, time).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Cut at its timeout: whatever it ends with is no longer the result. Observed so it is not reported unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }
}
