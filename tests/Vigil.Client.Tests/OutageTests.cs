using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Client.Tests;

/// <summary>
/// Monitoring never breaks the job: a Vigil that refuses connections or accepts them and never answers costs a
/// warning and at most the timeout per attempt, and only calls safe to repeat are repeated. Real time: these
/// measure the client's own timeouts.
/// </summary>
public sealed class OutageTests
{
    [Fact]
    public async Task Unreachable_Vigil_logs_warnings_and_the_job_runs_unmonitored()
    {
        var log = new LogRecorder();
        using var client = new VigilClient(new VigilClientOptions { Url = new Uri($"http://127.0.0.1:{ClosedPort()}"), ApiKey = "k" }, log, null);

        Assert.False(await client.StartAsync("nightly"));
        await using var lease = await client.AcquireLeaseAsync("nightly", TimeSpan.FromMinutes(5));
        Assert.False(lease.IsMonitored);
        Assert.Null(lease.Token);
        Assert.Null(lease.FencingToken);
        Assert.False(lease.Lost.IsCancellationRequested);
        Assert.False(await lease.ReleaseAsync(LeaseOutcome.Success));

        Assert.Equal([100, 101], log.Entries.Select(e => e.EventId));
        Assert.All(log.Entries, e => Assert.Equal(LogLevel.Warning, e.Level));
    }

    [Fact]
    public async Task Failing_closed_turns_an_outage_into_an_exception()
    {
        using var client = new VigilClient(
            new VigilClientOptions { Url = new Uri($"http://127.0.0.1:{ClosedPort()}"), ApiKey = "k", FailOpen = false }, null, null);

        await Assert.ThrowsAsync<VigilUnreachableException>(() => client.SuccessAsync("nightly"));
        await Assert.ThrowsAsync<VigilUnreachableException>(() => client.AcquireLeaseAsync("nightly", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_silent_Vigil_costs_one_timeout_per_ping_and_acquire_and_bounded_retries_for_renew()
    {
        using var silent = new SilentServer();
        var log = new LogRecorder();
        var timeout = TimeSpan.FromMilliseconds(300);
        using var client = new VigilClient(new VigilClientOptions { Url = silent.Url, ApiKey = "k", Timeout = timeout, MaxRetries = 2 }, log, null);

        var watch = Stopwatch.StartNew();
        Assert.False(await client.SuccessAsync("publisher"));
        await using (var lease = await client.AcquireLeaseAsync("publisher", TimeSpan.FromMinutes(1)))
        {
            Assert.False(lease.IsMonitored);
        }

        var firstTwo = watch.Elapsed;
        // The listener counts a connection when its accept loop gets to it, which a busy machine may delay.
        await Poll.UntilAsync(() => silent.Connections >= 2, "two connections");
        Assert.Equal(2, silent.Connections);
        Assert.InRange(firstTwo, 2 * timeout, 2 * timeout + TimeSpan.FromSeconds(2));
        Assert.All(log.Entries, e => Assert.Contains("did not answer in time", e.Message, StringComparison.Ordinal));

        // A renew carries its token: a repeat is harmless, so it is retried, at most MaxRetries times.
        watch.Restart();
        await Assert.ThrowsAsync<VigilUnreachableException>(() => client.RenewAsync("publisher", "token"));
        var renewing = watch.Elapsed;
        // Three attempts, each cut at the timeout: the elapsed time is the proof. Connections are counted too, but an
        // attempt cut while its connection was still being set up leaves that connection to the next attempt
        // (SocketsHttpHandler finishes a connect it started), so a busy machine may show one fewer: never more.
        Assert.InRange(renewing, 3 * timeout, 3 * timeout + TimeSpan.FromSeconds(4));
        await Poll.UntilAsync(() => silent.Connections >= 2 + 2, "at least two more connections");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.InRange(silent.Connections, 2 + 2, 2 + 3);
    }

    [Theory]
    [InlineData("GET", "api/v1/checks/x", true)]
    [InlineData("POST", "api/v1/checks/x/lease/renew", true)]
    [InlineData("POST", "api/v1/checks/x/lease/release", true)]
    [InlineData("POST", "api/v1/checks/x/lease/acquire", false)]
    [InlineData("POST", "ping/key/x", false)]
    [InlineData("GET", "ping/key/x", false)]
    [InlineData("POST", "ping/lease/renew", false)]
    [InlineData("PUT", "api/v1/checks/x", false)]
    public void Only_reads_and_token_carrying_lease_calls_are_repeatable(string method, string path, bool repeatable)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(new Uri("http://127.0.0.1:8470/"), path));
        Assert.Equal(repeatable, VigilHttpPipeline.IsRepeatable(request));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Accepts connections and never answers: a hung Vigil, or a network that drops the replies.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _accepted = [];
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public SilentServer()
        {
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _ = AcceptAsync();
        }

        public Uri Url { get; }

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_accepted)
            {
                foreach (var client in _accepted)
                {
                    client.Dispose();
                }
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    lock (_accepted)
                    {
                        _accepted.Add(client);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
