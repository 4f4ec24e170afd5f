using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>A stop and a start on the same data directory keep everything.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Checks_status_runs_keys_and_a_pending_notification_survive_a_restart()
    {
        await using var hook = await FakeWebhook.StartAsync();
        hook.AnswerWith = 500;
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        await host.PutCheckAsync("healthy", """{"every":"1h","grace":"5m","tags":["a"],"description":"kept"}""");
        await host.PutCheckAsync("running", """{"every":"1h","grace":"30m"}""");
        await host.PutCheckAsync("broken", """{"every":"1h"}""");
        var readKey = await host.CreateKeyAsync("reader", "read");
        var uuids = new Dictionary<string, Guid>();
        foreach (var name in new[] { "healthy", "running", "broken" })
        {
            uuids[name] = await host.UuidOfAsync(name);
        }

        var rid = Guid.NewGuid();
        using (await host.SendAsync(HttpMethod.Post, $"ping/{uuids["healthy"]}", json: null)) { }
        using (await host.SendAsync(HttpMethod.Get, $"ping/{uuids["running"]}/start?rid={rid}")) { }
        using (await host.SendAsync(HttpMethod.Get, $"ping/{uuids["broken"]}/fail")) { }
        await Poll.UntilAsync(() => host.Logs.All.Contains("Delivery to hook failed (attempt 1)", StringComparison.Ordinal), "the delivery failed once");
        var failedKey = Assert.Single(hook.All).Header("Idempotency-Key");
        var adminKey = host.AdminKey;
        var adminFile = await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.key"));

        await host.RestartAsync();

        Assert.Equal(adminFile, await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.key")));
        Assert.Equal(adminKey, host.AdminKey);
        using (var withRead = await host.SendAsync(HttpMethod.Get, "api/v1/checks", readKey))
        {
            Assert.Equal(200, (int)withRead.StatusCode);
        }

        Assert.Equal("up", await host.StatusOfAsync("healthy"));
        Assert.Equal("down", await host.StatusOfAsync("broken"));
        var healthy = await host.GetJsonAsync("api/v1/checks/healthy");
        Assert.Equal(uuids["healthy"], healthy.GetProperty("check").GetProperty("uuid").GetGuid());
        Assert.Equal("kept", healthy.GetProperty("settings").GetProperty("description").GetString());
        Assert.Equal(300, healthy.GetProperty("settings").GetProperty("grace_s").GetDouble());
        var running = await host.GetJsonAsync("api/v1/checks/running");
        Assert.True(running.GetProperty("check").GetProperty("started").GetBoolean());
        Assert.Equal(rid, Assert.Single(running.GetProperty("open_runs").EnumerateArray()).GetProperty("rid").GetGuid());
        Assert.Contains(await host.RunsAsync("broken"), r => r.GetProperty("outcome").GetString() == "fail");

        // The open run can still be ended after the restart.
        using (await host.SendAsync(HttpMethod.Get, $"ping/{uuids["running"]}?rid={rid}")) { }
        Assert.Equal("success", (await host.GetJsonAsync($"api/v1/checks/running/runs/{rid}")).GetProperty("outcome").GetString());

        // The webhook is back: the pending notification is delivered with its original idempotency key.
        hook.AnswerWith = 200;
        await host.AdvanceAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.Accepted.Any(r => r.Header("Idempotency-Key") == failedKey), "the pending notification was delivered after the restart");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        var downs = hook.Accepted.Where(r => r.Json.GetProperty("alert").GetString() == "down").ToList();
        var delivered = Assert.Single(downs);
        Assert.Equal("broken", delivered.Json.GetProperty("check").GetProperty("name").GetString());
        Assert.Contains(hook.Accepted, r => r.Json.GetProperty("alert").GetString() == "vigil_restarted");
    }
}
