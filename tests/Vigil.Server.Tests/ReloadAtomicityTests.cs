using System.Net;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>A reload applies all of the new config in one batch, or none of it.</summary>
public sealed class ReloadAtomicityTests
{
    private static CheckDefinition Check(string name, Guid? uuid = null) =>
        new() { Name = name, Uuid = uuid ?? Guid.Empty, Every = TimeSpan.FromHours(1), Grace = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task A_uuid_collision_in_the_middle_of_a_new_config_applies_nothing_and_the_old_config_keeps_running()
    {
        await using var oldHook = await FakeWebhook.StartAsync();
        await using var newHook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => VigilHost.WithWebhook(oldHook)(s) with
        {
            ChecksFromConfig = true,
            Checks = [Check("alpha"), Check("beta")],
        });
        var apiUuid = Guid.Parse("5f3b1c2e-8d4a-4b6e-9c1f-2a7d3e9b0c11");
        await host.PutCheckAsync("from-api", $$"""{"every":"1h","uuid":"{{apiUuid}}"}""");

        var next = host.Settings with
        {
            Checks = [Check("first"), Check("collides", apiUuid), Check("last")],
            Receivers = [new ReceiverSettings("new-hook", "webhook", Url: newHook.Url)],
            Routes = [new Route { Receivers = ["new-hook"] }],
        };
        var refused = await Assert.ThrowsAsync<ConfigConflictException>(() => host.Server.ReloadAsync(next));

        Assert.Contains("collides", refused.Message);
        var names = (await host.GetJsonAsync("api/v1/checks")).GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["alpha", "beta", "from-api"], names);

        // The old routes and receivers still deliver: a failure of alpha reaches the old webhook, not the new one.
        using (var fail = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("alpha")}/fail"))
        {
            Assert.Equal(HttpStatusCode.OK, fail.StatusCode);
        }

        await Poll.UntilAsync(() => oldHook.Accepted.Count == 1, "the old webhook gets the alert");
        Assert.Empty(newHook.All);
    }

    [Fact]
    public async Task A_valid_reload_swaps_checks_routes_and_receivers_together()
    {
        await using var oldHook = await FakeWebhook.StartAsync();
        await using var newHook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => VigilHost.WithWebhook(oldHook)(s) with { ChecksFromConfig = true, Checks = [Check("alpha")] });

        var summary = await host.Server.ReloadAsync(host.Settings with
        {
            Checks = [Check("gamma")],
            Receivers = [new ReceiverSettings("new-hook", "webhook", Url: newHook.Url)],
            Routes = [new Route { Receivers = ["new-hook"] }],
        });

        Assert.Contains("1 created", summary);
        Assert.Contains("1 removed", summary);
        using (var fail = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("gamma")}/fail"))
        {
            Assert.Equal(HttpStatusCode.OK, fail.StatusCode);
        }

        await Poll.UntilAsync(() => newHook.Accepted.Count == 1, "the new webhook gets the alert");
        Assert.Empty(oldHook.All);
    }

    [Fact]
    public async Task Fencing_tokens_never_go_back_across_delete_recreate_and_restart()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("worker", """{"every":"1h"}""");
        for (var i = 0; i < 3; i++)
        {
            using var acquire = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/worker/lease/acquire", """{"ttl":"1m","holder":"h:1"}""");
            var token = (await acquire.JsonAsync()).GetProperty("token").GetString();
            using (await host.AdminAsync(HttpMethod.Post, "api/v1/checks/worker/lease/release", $$"""{"token":"{{token}}","outcome":"success"}""")) { }
        }

        using (await host.AdminAsync(HttpMethod.Delete, "api/v1/checks/worker")) { }
        await host.RestartAsync();
        await host.PutCheckAsync("worker", """{"every":"1h"}""");

        using var again = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/worker/lease/acquire", """{"ttl":"1m","holder":"h:2"}""");
        Assert.Equal(4, (await again.JsonAsync()).GetProperty("fencing_token").GetInt64());
    }
}
