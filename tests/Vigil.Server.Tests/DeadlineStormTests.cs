using Vigil.Server.Engine;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>A storm of deadlines passing at once is committed in parts, with the pings waiting between them.</summary>
public sealed class DeadlineStormTests
{
    [Fact]
    public async Task Checks_late_in_the_same_instant_go_down_over_several_bounded_commits()
    {
        const int checks = 200;
        FaultyStore? store = null;
        await using var host = await VigilHost.StartAsync(options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        for (var n = 0; n < checks; n++)
        {
            await host.PutCheckAsync($"job-{n}", """{"every":"1m","grace":"30s"}""");
            using var ping = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync($"job-{n}")}");
            ping.EnsureSuccessStatusCode();
        }

        var before = store!.NotificationsPerCommit.Count;
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
}
