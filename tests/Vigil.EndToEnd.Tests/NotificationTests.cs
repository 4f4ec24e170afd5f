using Xunit.Abstractions;
using Vigil.Testing;
using static Vigil.EndToEnd.Tests.FakeWebhook;

namespace Vigil.EndToEnd.Tests;

/// <summary>promises.md: notifications are delivered at least once through a crash, with one idempotency key;
/// Vigil's own downtime never produces alerts for the blind span.</summary>
public sealed class NotificationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Guid Failing = Guid.Parse("3d7a1c44-9f0b-4a55-8a0e-6b2f4c1e7d01");
    private static readonly Guid Resumes = Guid.Parse("3d7a1c44-9f0b-4a55-8a0e-6b2f4c1e7d02");
    private static readonly Guid Silent = Guid.Parse("3d7a1c44-9f0b-4a55-8a0e-6b2f4c1e7d03");

    private FakeWebhook _hook = null!;
    private VigilServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _hook = await FakeWebhook.StartAsync();
        _server = new VigilServerProcess($"""
            failing:
              uuid: {Failing}
              every: 1h
              grace: 1h
            resumes:
              uuid: {Resumes}
              every: 2s
              grace: 2s
            silent:
              uuid: {Silent}
              every: 2s
              grace: 2s
            """, _hook.Url, startupGrace: "3s");
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _hook.DisposeAsync();
    }

    [Fact]
    public async Task Kill9_during_delivery_still_delivers_after_restart_with_the_same_idempotency_key()
    {
        // The first attempt is refused, the retry hangs: the server is killed while that delivery is in flight.
        _hook.Decide = d => d.Alert != "down" ? Behaviour.Accept
            : _hook.Deliveries.Any(x => x.Alert == "down") ? Behaviour.Hang : Behaviour.Fail500;
        using (var fail = await _server.PingAsync(Failing, "fail"))
        {
            Assert.Equal(200, (int)fail.StatusCode);
        }

        await Poll.UntilAsync(() => _hook.Deliveries.Count(d => d.Alert == "down") >= 2, TimeSpan.FromSeconds(20),
            "a refused delivery of the down notification and its hanging retry");
        await _server.KillHardAsync();

        _hook.Decide = null;
        _hook.Mode = Behaviour.Accept;
        await _server.StartAsync();
        await Poll.UntilAsync(() => _hook.Deliveries.Any(d => d.Alert == "down" && d.AnsweredWith == Behaviour.Accept), TimeSpan.FromSeconds(20),
            "the down notification to be delivered after the restart");

        var downs = _hook.Deliveries.Where(d => d.Alert == "down").ToList();
        output.WriteLine(string.Join("\n", downs.Select(d => $"{d.Id} {d.IdempotencyKey} {d.AnsweredWith}")));
        Assert.True(downs.Count >= 3, $"expected a refused, a cut-off and an accepted delivery; got {downs.Count}");
        Assert.Single(downs.Select(d => d.Id).Distinct());
        Assert.Single(downs.Select(d => d.IdempotencyKey).Distinct());
        Assert.NotNull(downs[0].IdempotencyKey);
        Assert.Equal("failing", downs[0].CheckName);
    }

    [Fact]
    public async Task Downtime_longer_than_every_grace_alerts_nothing_for_the_blind_span_and_says_vigil_restarted_once()
    {
        // Both checks pinged on time, then Vigil is stopped for longer than period + grace while nobody pings.
        foreach (var uuid in new[] { Resumes, Silent })
        {
            using var ok = await _server.PingAsync(uuid);
            Assert.Equal(200, (int)ok.StatusCode);
        }

        Assert.Equal(0, await _server.TerminateAsync());
        await Task.Delay(TimeSpan.FromSeconds(5));

        var launched = TimeProvider.System.GetTimestamp();
        await _server.StartAsync();

        // "resumes" pings again within startup_grace; "silent" never does.
        using var stop = new CancellationTokenSource();
        var pinging = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using (await _server.PingAsync(Resumes, ct: CancellationToken.None))
                {
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(700), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);

        try
        {
            await Poll.UntilAsync(() => _hook.Deliveries.Any(d => d.Alert == "down" && d.CheckName == "silent"), TimeSpan.FromSeconds(15),
                "the silent check to go down one startup_grace after the restart");
            var down = _hook.Deliveries.First(d => d.Alert == "down" && d.CheckName == "silent");
            var after = TimeProvider.System.GetElapsedTime(launched, down.ArrivedAt);
            output.WriteLine($"the silent check went down {after} after the restart was launched");

            // startup_grace (3s) is longer than the grace (2s): nothing may go down before 3s after the start.
            Assert.True(after >= TimeSpan.FromSeconds(3), $"the silent check went down {after} after the restart, inside startup_grace");
            Assert.True(after <= TimeSpan.FromSeconds(9), $"the silent check went down only {after} after the restart");

            // Keep the other check pinging past its own deadlines: it never goes down.
            await Task.Delay(TimeSpan.FromSeconds(3));

            // Whatever is owed by now reaches the webhook before the counts below are taken (the pings go on, so
            // "resumes" cannot fall due meanwhile).
            await Poll.UntilAsync(_server.OutboxEmptyAsync, TimeSpan.FromSeconds(5), "the outbox to be empty");
        }
        finally
        {
            await stop.CancelAsync();
            await pinging.WaitAsync(TimeSpan.FromSeconds(15));
        }

        var deliveries = _hook.Deliveries;
        Assert.DoesNotContain(deliveries, d => d.Alert == "down" && d.CheckName == "resumes");
        Assert.Single(deliveries, d => d.Alert == "down");
        Assert.Single(deliveries, d => d.Alert == "vigil_restarted");
    }
}
