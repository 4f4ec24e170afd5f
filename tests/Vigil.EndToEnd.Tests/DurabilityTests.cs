using Xunit.Abstractions;
using Vigil.Testing;

namespace Vigil.EndToEnd.Tests;

/// <summary>promises.md, "never a lost alarm": an acknowledged ping is durable, through kill -9 and SIGTERM.</summary>
public sealed class DurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Guid Uuid = Guid.Parse("0b6f6c8e-5a52-4d8e-9f0e-3c1a1f1d2a01");

    private FakeWebhook _hook = null!;
    private VigilServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _hook = await FakeWebhook.StartAsync();
        _server = new VigilServerProcess($"""
            burst:
              uuid: {Uuid}
              every: 1h
              grace: 1h
            """, _hook.Url);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _hook.DisposeAsync();
    }

    [Fact]
    public async Task Kill9_during_a_burst_of_pings_loses_no_acknowledged_ping()
    {
        var load = new PingLoad();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(_server.BaseUrl, Uuid, clients: 8, stop.Token);

        // Kill mid-burst, once the burst is well under way; keep the clients sending through the crash.
        await Poll.UntilAsync(() => load.AcknowledgedCount >= 200, TimeSpan.FromSeconds(20), "200 acknowledged pings");
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await _server.KillHardAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(load.Failed > 0, "the kill should have cut some pings off");

        await _server.StartAsync();
        var stored = _server.SuccessRids("burst");
        var lost = load.Acknowledged.Where(rid => !stored.Contains(rid)).ToList();
        output.WriteLine($"acknowledged {load.AcknowledgedCount}, not acknowledged {load.Failed}, stored {stored.Count}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {load.AcknowledgedCount} acknowledged pings are missing after kill -9, e.g. {string.Join(", ", lost.Take(5))}");
    }

    [Fact]
    public async Task Sigterm_under_load_drains_exits_0_and_keeps_every_acknowledged_ping()
    {
        var load = new PingLoad();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(_server.BaseUrl, Uuid, clients: 8, stop.Token);
        await Poll.UntilAsync(() => load.AcknowledgedCount >= 200, TimeSpan.FromSeconds(20), "200 acknowledged pings");

        var exit = await _server.TerminateAsync(TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"vigil serve exited {exit} on SIGTERM\n{_server.Process!.Output}");

        await _server.StartAsync();
        var stored = _server.SuccessRids("burst");
        var lost = load.Acknowledged.Where(rid => !stored.Contains(rid)).ToList();
        output.WriteLine($"acknowledged {load.AcknowledgedCount}, not acknowledged {load.Failed}, stored {stored.Count}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {load.AcknowledgedCount} acknowledged pings are missing after SIGTERM, e.g. {string.Join(", ", lost.Take(5))}");
    }
}
