using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Vigil.Client;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

/// <summary>
/// <c>vigil run</c>: takes the check's lease, runs the command directly (no shell) with its output passing
/// through, renews while it runs, forwards signals, releases with the outcome and the output's tail, and
/// exits with the command's status. Monitoring never stops a job: when Vigil cannot be reached the command
/// still runs and its outcome is spooled for later.
/// </summary>
internal sealed partial class JobRunner(CliContext cli, TimeProvider time)
{
    internal sealed record Options(
        string Check, TimeSpan? Ttl, TimeSpan? RenewEvery, bool AllowOverlap, TimeSpan? Every, int TailBytes, IReadOnlyList<string> Command)
    {
        /// <summary>Asked first: closed (or not askable) → exit 75 and the command never starts.</summary>
        public string? Gate { get; init; }

        /// <summary>Asked for a permit before, told the outcome after; refused → exit 75.</summary>
        public string? Breaker { get; init; }
    }

    /// <summary>How long output is still passed through after the command exited.</summary>
    private static readonly TimeSpan OutputDrain = TimeSpan.FromSeconds(2);

    private const int Sighup = 1;
    private const int Sigint = 2;
    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        if (options.Every is not { } period)
        {
            return await RunOnceAsync(options, ct).ConfigureAwait(false);
        }

        var code = 0;
        while (!ct.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            code = await RunOnceAsync(options, ct).ConfigureAwait(false);
            var wait = started + period - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return code;
    }

    private async Task<int> RunOnceAsync(Options o, CancellationToken ct)
    {
        using var client = cli.CreateClient();
        var (run, permit) = await AskGuardsAsync(o, client, ct).ConfigureAwait(false);
        if (!run)
        {
            return ExitCodes.TempFail;
        }

        var spool = new Spool(cli.SpoolDirectory, time);
        var holder = CliContext.ThisProcessAsHolder;
        LeaseGrant? grant = null;
        var reachable = true;
        try
        {
            var acquired = await client.AcquireAsync(o.Check, o.Ttl, holder, ct: ct).ConfigureAwait(false);
            if (!acquired.Granted)
            {
                var holders = string.Join(", ", acquired.Holders.Select(h => $"{h.Holder} until {Timestamps.Format(h.ExpiresAt)}"));
                if (!o.AllowOverlap)
                {
                    await Console.Error.WriteLineAsync($"vigil: not running: the lease of '{o.Check}' is held by {holders}").ConfigureAwait(false);
                    return ExitCodes.TempFail;
                }

                cli.Info($"vigil: the lease of '{o.Check}' is held by {holders}; running anyway (--allow-overlap)");
            }

            grant = acquired.Grant;
        }
        catch (VigilUnreachableException ex)
        {
            reachable = false;
            cli.Info($"vigil: {ex.Message}; running anyway, the outcome will be spooled");
        }
        catch (VigilApiException ex)
        {
            cli.Info($"vigil: could not take the lease of '{o.Check}' ({ex.Message}); running anyway");
        }

        var rid = grant?.Rid ?? Guid.CreateVersion7(time.GetUtcNow());
        var startedAt = time.GetUtcNow();
        var tail = new OutputTail(o.TailBytes);
        var (exitCode, failure) = await ExecuteAsync(o, grant, rid, client, tail, ct).ConfigureAwait(false);
        await ReportToBreakerAsync(o, client, permit, exitCode, failure).ConfigureAwait(false);
        var endedAt = time.GetUtcNow();
        var duration = Durations.Format(TimeSpan.FromSeconds(Math.Round((endedAt - startedAt).TotalSeconds)));
        var message = failure ?? $"exit status {exitCode} after {duration}";
        var log = tail.Text();

        if (reachable)
        {
            try
            {
                if (grant is not null)
                {
                    var released = await client.ReleaseAsync(o.Check, grant.Token, exitCode == 0 ? LeaseOutcome.Success : LeaseOutcome.Fail,
                        exitCode, message, log, ct: CancellationToken.None).ConfigureAwait(false);
                    if (!released)
                    {
                        cli.Info($"vigil: the lease of '{o.Check}' was lost before the command ended; its outcome was recorded as a late report");
                    }
                }
                else
                {
                    await client.PingAsync(o.Check, exitStatus: exitCode, rid: rid, body: log, ct: CancellationToken.None).ConfigureAwait(false);
                }

                return exitCode;
            }
            catch (VigilUnreachableException ex)
            {
                cli.Info($"vigil: {ex.Message}; the outcome is spooled");
            }
            catch (VigilApiException ex)
            {
                cli.Info($"vigil: the server refused the outcome of '{o.Check}': {ex.Message}");
                return exitCode;
            }
        }

        spool.Add(new Spool.Entry(o.Check, exitCode == 0 ? "success" : "fail", exitCode, rid, endedAt, log, null));
        return exitCode;
    }

    private async Task<(int ExitCode, string? Failure)> ExecuteAsync(Options o, LeaseGrant? grant, Guid rid, VigilClient client, OutputTail tail, CancellationToken ct)
    {
        var start = new ProcessStartInfo(o.Command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in o.Command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["VIGIL_RID"] = rid.ToString();
        if (grant is not null)
        {
            start.Environment["VIGIL_LEASE_TOKEN"] = grant.Token;
            start.Environment["VIGIL_FENCING_TOKEN"] = grant.FencingToken.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            await Console.Error.WriteLineAsync($"vigil: cannot execute {o.Command[0]}: {ex.Message}").ConfigureAwait(false);
            return (ExitCodes.NotExecutable, $"cannot execute {o.Command[0]}: {ex.Message}");
        }

        var pid = process.Id;
        var registrations = new[] { (PosixSignal.SIGTERM, Sigterm), (PosixSignal.SIGINT, Sigint), (PosixSignal.SIGHUP, Sighup) }
            .Select(pair => PosixSignalRegistration.Create(pair.Item1, context =>
            {
                // Vigil stays until the command ends, so the outcome is still reported.
                context.Cancel = true;
                _ = Kill(pid, pair.Item2);
            }))
            .ToList();
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var stdout = Pump(process.StandardOutput.BaseStream, Console.OpenStandardOutput(), tail);
            var stderr = Pump(process.StandardError.BaseStream, Console.OpenStandardError(), tail);
            var renew = grant is null ? Task.CompletedTask : RenewAsync(o, grant, client, renewing.Token);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            // A background child of the command may keep the output pipes open long after the command ended
            // (`sleep 30 &`); drain briefly, then report instead of waiting for it.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputDrain, time, CancellationToken.None)).ConfigureAwait(false);
            await renewing.CancelAsync().ConfigureAwait(false);
            await renew.ConfigureAwait(false);
            return (process.ExitCode, null);
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private async Task RenewAsync(Options o, LeaseGrant grant, VigilClient client, CancellationToken ct)
    {
        var ttl = o.Ttl ?? grant.ExpiresAt - time.GetUtcNow();
        var every = o.RenewEvery ?? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, ttl.Ticks / 3));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, ct).ConfigureAwait(false);
                var expires = await client.RenewAsync(o.Check, grant.Token, o.Ttl, ct: ct).ConfigureAwait(false);
                if (expires is null)
                {
                    cli.Info($"vigil: the lease of '{o.Check}' is gone (expired or revoked); fencing token {grant.FencingToken} is no longer valid");
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (VigilUnreachableException ex)
            {
                cli.Info($"vigil: could not renew the lease ({ex.Message}); will retry");
            }
            catch (VigilApiException ex)
            {
                cli.Info($"vigil: the server refused to renew the lease: {ex.Message}");
                return;
            }
        }
    }

    private static async Task Pump(Stream from, Stream to, OutputTail tail)
    {
        var buffer = new byte[16384];
        int read;
        while ((read = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            await to.FlushAsync().ConfigureAwait(false);
            tail.Append(buffer.AsSpan(0, read));
        }
    }

    /// <summary>The last N bytes of the command's combined output.</summary>
    internal sealed class OutputTail(int capacity)
    {
        private readonly byte[] _ring = new byte[Math.Max(0, capacity)];
        private long _written;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_ring.Length == 0)
            {
                return;
            }

            lock (_ring)
            {
                var kept = bytes.Length > _ring.Length ? bytes[^_ring.Length..] : bytes;
                _written += bytes.Length - kept.Length;
                foreach (var b in kept)
                {
                    _ring[_written++ % _ring.Length] = b;
                }
            }
        }

        public string Text()
        {
            lock (_ring)
            {
                if (_written <= _ring.Length)
                {
                    return Encoding.UTF8.GetString(_ring, 0, (int)_written);
                }

                var start = (int)(_written % _ring.Length);
                var ordered = new byte[_ring.Length];
                _ring.AsSpan(start).CopyTo(ordered);
                _ring.AsSpan(0, start).CopyTo(ordered.AsSpan(_ring.Length - start));
                return Encoding.UTF8.GetString(ordered);
            }
        }
    }
}
