using Vigil.Server.Engine;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>A storm of deadlines passing at once is committed in parts, with the pings waiting between them.</summary>
public sealed class DeadlineStormTests
{
    /// <summary>A server with <paramref name="checks"/> checks job-0… (every minute, grace 30 s), each pinged once now.</summary>
    private static async Task<(VigilHost Host, FaultyStore Store)> StartWithPingedChecksAsync(int checks)
    {
        FaultyStore? store = null;
        var host = await VigilHost.StartAsync(options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        try
        {
            for (var n = 0; n < checks; n++)
            {
                await host.PutCheckAsync($"job-{n}", """{"every":"1m","grace":"30s"}""");
                using var ping = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync($"job-{n}")}");
                ping.EnsureSuccessStatusCode();
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return (host, store!);
    }

    [Fact]
    public async Task Checks_late_in_the_same_instant_go_down_over_several_bounded_commits()
    {
        const int checks = 200;
        var (host, store) = await StartWithPingedChecksAsync(checks);
        await using var _ = host;

        var before = store.NotificationsPerCommit.Count;
        await host.AdvanceAsync(TimeSpan.FromMinutes(2));
        await Poll.UntilAsync(() => store.NotificationsPerCommit.Skip(before).Sum() >= checks, "every down committed");

        var carrying = store.NotificationsPerCommit.Skip(before).Where(n => n > 0).ToList();
        Assert.Equal(checks, carrying.Sum());
        Assert.All(carrying, n => Assert.InRange(n, 1, EvaluatorLoop.MaxDeadlinesPerStep));
        Assert.True(carrying.Count >= checks / EvaluatorLoop.MaxDeadlinesPerStep, $"{carrying.Count} commits: {string.Join(", ", carrying)}");
        for (var n = 0; n < checks; n += 37)
        {
            Assert.Equal("down", await host.StatusOfAsync($"job-{n}"));
        }
    }

    [Fact]
    public async Task A_step_that_carries_waiting_pings_acts_on_only_a_few_deadlines()
    {
        const int checks = 100;
        var (host, store) = await StartWithPingedChecksAsync(checks);
        await using var _ = host;

        await host.PutCheckAsync("pinger", """{"every":"1h"}""");
        var pinger = await host.UuidOfAsync("pinger");

        // Every check late (grace runs out at 90 s); in small steps, as a jump of more than 15 s is a blind span.
        await host.AdvanceAsync(TimeSpan.FromSeconds(85));

        // The first step of the storm finds nobody waiting and takes a full share of the deadlines; its commit is held
        // (a slow disk) while pings queue up behind it.
        var before = store.CommitLog.Count;
        store.HoldNextCommit();
        List<Task> pings;
        try
        {
            host.Time.Advance(TimeSpan.FromSeconds(10));
            await Poll.UntilAsync(() => store.Holding, "the storm's first commit is under way");
            pings = [.. Enumerable.Range(0, 5).Select(async _ =>
            {
                using var response = await host.SendAsync(HttpMethod.Get, $"ping/{pinger}");
                response.EnsureSuccessStatusCode();
            })];
            await Poll.UntilAsync(() => host.Loop.QueueLength == pings.Count, "the pings wait for the writer");
        }
        finally
        {
            store.Release();
        }

        await Task.WhenAll(pings);
        try
        {
            await Poll.UntilAsync(() => store.CommitLog.Skip(before).Sum(c => c.Notifications) >= checks, "every down committed");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(string.Join("; ", store.CommitLog.Skip(before).Select(c => $"{c.Notifications} [{string.Join(",", c.EventChecks.Distinct())}]")));
        }

        var log = store.CommitLog.Skip(before).Where(c => c.Notifications > 0).ToList();
        Assert.True(log[0].Notifications > EvaluatorLoop.MaxDeadlinesPerBusyStep, $"the first commit carried {log[0].Notifications}");
        var withPings = log.Where(c => c.EventChecks.Contains("pinger")).ToList();
        Assert.NotEmpty(withPings);
        Assert.All(withPings, c => Assert.InRange(c.Notifications, 1, EvaluatorLoop.MaxDeadlinesPerBusyStep));
        Assert.Equal(checks, log.Sum(c => c.Notifications));
    }
}
