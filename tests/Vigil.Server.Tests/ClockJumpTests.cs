using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>promises.md: a forward clock jump never produces alerts for the span Vigil was not watching; a job
/// that really died is still caught, one max(grace, startup_grace) later.</summary>
public sealed class ClockJumpTests
{
    [Fact]
    public async Task A_forward_jump_past_every_deadline_sends_no_down_and_one_vigil_restarted_then_catches_a_dead_job()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => VigilHost.WithWebhook(hook)(s) with { StartupGrace = TimeSpan.FromMinutes(2) });
        await host.PutCheckAsync("publisher", """{"every":"1m","grace":"30s"}""");
        using (await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("publisher")}")) { }

        // The wall clock leaps two hours in one step: far past the deadline, and past the blind-span threshold.
        host.Time.Advance(TimeSpan.FromHours(2));
        await Poll.UntilAsync(() => hook.Accepted.Any(r => r.Json.GetProperty("alert").GetString() == "vigil_restarted"),
            "the vigil_restarted notification");
        Assert.Equal("up", await host.StatusOfAsync("publisher"));

        // Within startup_grace nothing is down; once it has passed without a ping, the dead job is caught.
        await host.AdvanceAsync(TimeSpan.FromSeconds(100));
        Assert.Equal("up", await host.StatusOfAsync("publisher"));
        await host.AdvanceAsync(TimeSpan.FromSeconds(25));
        await Poll.UntilAsync(async () => await host.StatusOfAsync("publisher") == "down", "the check went down after startup_grace");
        await Poll.UntilAsync(() => hook.Accepted.Any(r => r.Json.GetProperty("alert").GetString() == "down"), "the down notification");

        Assert.Single(hook.All, r => r.Json.GetProperty("alert").GetString() == "vigil_restarted");
        Assert.Single(hook.All, r => r.Json.GetProperty("alert").GetString() == "down");
    }
}
