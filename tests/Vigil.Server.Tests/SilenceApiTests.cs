using System.Net;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Silences through the API, persisted; depends_on muting through the real server.</summary>
public sealed class SilenceApiTests
{
    [Fact]
    public async Task A_silence_holds_an_alert_back_survives_a_restart_and_expiring_it_sends_what_is_owed()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        await host.PutCheckAsync("job", """{"every":"1h","tags":["trading"]}""");

        using var added = await host.AdminAsync(HttpMethod.Post, "api/v1/silences", """{"match":{"tags":["trading"]},"duration":"2h","reason":"exchange maintenance"}""");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var silence = await added.JsonAsync();
        Assert.Equal("active", silence.GetProperty("state").GetString());
        Assert.Equal("admin", silence.GetProperty("created_by").GetString());
        var id = silence.GetProperty("id").GetString();

        using (var fail = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail")) Assert.Equal(HttpStatusCode.OK, fail.StatusCode);
        var alert = (await host.GetJsonAsync("api/v1/checks/job")).GetProperty("alerts")[0];
        Assert.StartsWith("silenced until", alert.GetProperty("held_back").GetString());
        Assert.False(alert.GetProperty("notified").GetBoolean());

        await host.RestartAsync();
        var listed = (await host.GetJsonAsync("api/v1/silences")).GetProperty("silences");
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(CheckAlerts(hook));

        using (var expire = await host.AdminAsync(HttpMethod.Delete, $"api/v1/silences/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, expire.StatusCode);
            Assert.Equal("admin", (await expire.JsonAsync()).GetProperty("expired_by").GetString());
        }

        await Poll.UntilAsync(() => CheckAlerts(hook).Count == 1, "the held-back alert is sent");
        Assert.Equal("firing", CheckAlerts(hook)[0].Json.GetProperty("state").GetString());
        Assert.Empty((await host.GetJsonAsync("api/v1/silences")).GetProperty("silences").EnumerateArray());
        using var again = await host.AdminAsync(HttpMethod.Delete, $"api/v1/silences/{id}");
        await again.ProblemAsync(404);
    }

    /// <summary>What the webhook got about checks (a restart also sends vigil_restarted to the catch-all route).</summary>
    private static List<ReceivedRequest> CheckAlerts(FakeWebhook hook) =>
        [.. hook.Accepted.Where(r => r.Json.GetProperty("alert").GetString() != "vigil_restarted")];

    [Theory]
    [InlineData("""{"duration":"1h"}""", "reason")]
    [InlineData("""{"reason":"x"}""", "duration")]
    [InlineData("""{"reason":"x","duration":"soon"}""", "duration")]
    [InlineData("""{"reason":"x","duration":"1h","ends_at":"2030-01-01T00:00:00Z"}""", "duration")]
    [InlineData("""{"reason":"x","ends_at":"2020-01-01T00:00:00Z"}""", "ends_at")]
    [InlineData("""{"reason":"x","duration":"91d"}""", "duration")]
    [InlineData("""{"reason":"x","duration":"1h","match":{"check":"Bad Name"}}""", "match.check")]
    [InlineData("""{"reason":"x","duration":"1h","match":{"severity":"fatal"}}""", "match.severity")]
    [InlineData("""{"reason":"x","duration":"1h","starts_at":"2026-03-02T10:00:00"}""", "starts_at")]
    [InlineData("""{"reason":"x","duration":"1h","color":"red"}""", "color")]
    public async Task A_bad_silence_is_refused_naming_the_field(string json, string field)
    {
        await using var host = await VigilHost.StartAsync();

        using var response = await host.AdminAsync(HttpMethod.Post, "api/v1/silences", json);

        var problem = await response.ProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_read_key_lists_silences_but_cannot_make_one()
    {
        await using var host = await VigilHost.StartAsync();
        var key = await host.CreateKeyAsync("grafana", "read");

        using (var list = await host.SendAsync(HttpMethod.Get, "api/v1/silences", key)) Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var add = await host.SendAsync(HttpMethod.Post, "api/v1/silences", key, """{"duration":"1h","reason":"x"}""");
        await add.ProblemAsync(403);
    }

    [Fact]
    public async Task A_dependent_check_is_muted_while_its_dependency_is_down_and_sent_when_it_recovers()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => VigilHost.WithWebhook(hook)(s) with
        {
            ChecksFromConfig = true,
            Checks =
            [
                new CheckDefinition { Name = "internet", Every = TimeSpan.FromHours(1), ManagedBy = ManagedBy.Config },
                new CheckDefinition { Name = "scan", Every = TimeSpan.FromHours(1), DependsOn = ["internet"], ManagedBy = ManagedBy.Config },
            ],
            MaintenanceWindows = [new MaintenanceWindow { Match = AlertMatcher.All, Cron = "0 22 * * 5", Tz = "Asia/Qatar", Duration = TimeSpan.FromHours(2), Reason = "weekly" }],
        });

        using (var fail = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("internet")}/fail")) Assert.Equal(HttpStatusCode.OK, fail.StatusCode);
        using (var fail = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("scan")}/fail")) Assert.Equal(HttpStatusCode.OK, fail.StatusCode);
        await Poll.UntilAsync(() => hook.Accepted.Count == 1, "the dependency's alert");
        Assert.Equal("internet", hook.Accepted[0].Json.GetProperty("check").GetProperty("name").GetString());
        var held = (await host.GetJsonAsync("api/v1/checks/scan")).GetProperty("alerts")[0].GetProperty("held_back").GetString();
        Assert.Equal("muted: it depends on internet, which is down", held);
        Assert.Equal("Asia/Qatar", (await host.GetJsonAsync("api/v1/silences")).GetProperty("windows")[0].GetProperty("tz").GetString());

        using (var ok = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("internet")}")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        await Poll.UntilAsync(() => hook.Accepted.Count == 3, "the resolved dependency and the released dependent");
        var sent = hook.Accepted.Select(r => $"{r.Json.GetProperty("check").GetProperty("name").GetString()}:{r.Json.GetProperty("state").GetString()}").Order(StringComparer.Ordinal);
        Assert.Equal(["internet:firing", "internet:resolved", "scan:firing"], sent);
    }
}
