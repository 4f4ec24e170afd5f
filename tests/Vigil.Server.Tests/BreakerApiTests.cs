using System.Text.Json;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Shared breakers through the HTTP API on a real server, SQLite and a fake clock.</summary>
public sealed class BreakerApiTests
{
    internal static readonly BreakerDefinition Exchange = new()
    {
        Name = "binance-api",
        FailureThreshold = 5,
        OpenFor = TimeSpan.FromSeconds(30),
        Backoff = 2.0,
        MaxOpenFor = TimeSpan.FromMinutes(30),
        HalfOpenProbes = 1,
        ProbeTtl = TimeSpan.FromSeconds(30),
        Severity = Severity.Warning,
    };

    private static Task<VigilHost> StartAsync(BreakerDefinition? breaker = null, FakeWebhook? hook = null, TempDir? dir = null) =>
        VigilHost.StartAsync(s => (hook is null ? s : VigilHost.WithWebhook(hook)(s)) with { ChecksFromConfig = true, Breakers = [breaker ?? Exchange] }, dir);

    internal static async Task<JsonElement> PermitAsync(VigilHost host, string breaker = "binance-api", string? key = null, string? holder = "bot:1")
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"api/v1/breakers/{breaker}/permit", key ?? host.AdminKey,
            holder is null ? null : $$"""{"holder":"{{holder}}"}""");
        var json = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"permit answered {(int)response.StatusCode}: {json}");
        return json;
    }

    internal static async Task<HttpResponseMessage> ReportAsync(VigilHost host, string outcome, string? token = null, string breaker = "binance-api", string? key = null) =>
        await host.SendAsync(HttpMethod.Post, $"api/v1/breakers/{breaker}/report", key ?? host.AdminKey,
            JsonSerializer.Serialize(new Dictionary<string, string?> { ["outcome"] = outcome, ["probe_token"] = token, ["error"] = outcome == "failure" ? "HTTP 502" : null }));

    internal static async Task TripAsync(VigilHost host, int failures = 5)
    {
        for (var i = 0; i < failures; i++)
        {
            using var response = await ReportAsync(host, "failure");
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task<JsonElement> BreakerAsync(VigilHost host, string name = "binance-api") => await host.GetJsonAsync($"api/v1/breakers/{name}");

    private static string State(JsonElement breaker) => breaker.GetProperty("state").GetString()!;

    [Fact]
    public async Task The_trading_teams_scenario_an_expired_open_breaker_probes_by_itself_then_closes_and_health_is_ok()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await StartAsync(hook: hook);
        await TripAsync(host);
        var open = await BreakerAsync(host);
        Assert.Equal("open", State(open));
        Assert.Equal(VigilHost.Epoch.AddSeconds(30), open.GetProperty("cooldown_until").GetDateTimeOffset());
        var sick = await host.GetJsonAsync("api/v1/health");
        Assert.Contains(sick.GetProperty("components").EnumerateArray(), c => c.GetProperty("kind").GetString() == "breaker" && c.GetProperty("name").GetString() == "binance-api");
        var refused = await PermitAsync(host);
        Assert.False(refused.GetProperty("allowed").GetBoolean());
        Assert.Equal(30, refused.GetProperty("retry_after_s").GetDouble());

        // Nobody calls while the cooldown runs out: the heap alone makes it half-open.
        await host.AdvanceAsync(TimeSpan.FromSeconds(31));
        Assert.Equal("half_open", State(await BreakerAsync(host)));

        var probe = await PermitAsync(host);
        Assert.True(probe.GetProperty("allowed").GetBoolean());
        Assert.Equal("half_open", probe.GetProperty("state").GetString());
        using (var success = await ReportAsync(host, "success", probe.GetProperty("probe_token").GetString()))
        {
            Assert.Equal("closed", (await success.JsonAsync()).GetProperty("state").GetString());
        }

        var closed = await BreakerAsync(host);
        Assert.Equal("closed", State(closed));
        Assert.Equal(host.Time.GetUtcNow(), closed.GetProperty("last_success_at").GetDateTimeOffset());
        Assert.Equal(0, closed.GetProperty("counters").GetProperty("consecutive_failures").GetInt32());
        var health = await host.GetJsonAsync("api/v1/health");
        Assert.DoesNotContain(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("kind").GetString() == "breaker");
        Assert.Equal("ok", health.GetProperty("level").GetString());

        await Poll.UntilAsync(() => hook.Accepted.Count >= 2, "breaker_open firing and resolved were delivered");
        Assert.Equal(["breaker_open firing binance-api", "breaker_open resolved binance-api"],
            hook.Accepted.Select(r => $"{r.Json.GetProperty("alert").GetString()} {r.Json.GetProperty("state").GetString()} {r.Json.GetProperty("breaker").GetString()}"));
    }

    [Fact]
    public async Task A_permit_on_a_closed_breaker_and_breaker_reads_never_enter_the_writer()
    {
        await using var host = await StartAsync();
        var before = host.Loop.CommandsExecuted;

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => PermitAsync(host)));
        await host.GetJsonAsync("api/v1/breakers");
        await BreakerAsync(host);

        Assert.All(answers, a => Assert.True(a.GetProperty("allowed").GetBoolean()));
        Assert.All(answers, a => Assert.Equal("closed", a.GetProperty("state").GetString()));
        Assert.Equal(before, host.Loop.CommandsExecuted);
    }

    [Fact]
    public async Task A_probe_permit_whose_prober_died_is_freed_by_its_ttl_and_its_late_report_is_410_changing_nothing()
    {
        await using var host = await StartAsync();
        await TripAsync(host);
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        var dead = await PermitAsync(host, holder: "crashed:1");
        var blocked = await PermitAsync(host, holder: "other:2");
        Assert.False(blocked.GetProperty("allowed").GetBoolean());
        Assert.Equal(30, blocked.GetProperty("retry_after_s").GetDouble());
        Assert.Equal(1, (await BreakerAsync(host)).GetProperty("probes_out").GetInt32());

        await host.AdvanceAsync(TimeSpan.FromSeconds(30));

        var freed = await BreakerAsync(host);
        Assert.Equal(0, freed.GetProperty("probes_out").GetInt32());
        Assert.Equal("half_open", State(freed));
        using var late = await ReportAsync(host, "success", dead.GetProperty("probe_token").GetString());
        var problem = await late.ProblemAsync(410);
        Assert.Equal("half_open", problem.GetProperty("state").GetString());
        Assert.Contains("changed nothing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("half_open", State(await BreakerAsync(host)));
        Assert.True((await PermitAsync(host, holder: "other:2")).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task A_failed_probe_reopens_with_a_longer_cooldown()
    {
        await using var host = await StartAsync();
        await TripAsync(host);
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        var probe = await PermitAsync(host);

        using (await ReportAsync(host, "failure", probe.GetProperty("probe_token").GetString()))
        {
        }

        var reopened = await BreakerAsync(host);
        Assert.Equal("open", State(reopened));
        Assert.Equal(60, reopened.GetProperty("open_for_s").GetDouble());
        Assert.Equal(host.Time.GetUtcNow().AddSeconds(60), reopened.GetProperty("cooldown_until").GetDateTimeOffset());
    }

    [Fact]
    public async Task Force_needs_write_and_a_reason_is_audited_with_the_keys_name_and_auto_probes_first()
    {
        await using var host = await StartAsync();
        var ping = await host.CreateKeyAsync("trading-bot", "ping");
        var write = await host.CreateKeyAsync("ops-oncall", "write");

        using (var denied = await host.SendAsync(HttpMethod.Post, "api/v1/breakers/binance-api/force", ping, """{"state":"open","reason":"x"}"""))
        {
            await denied.ProblemAsync(403);
        }

        using (var forced = await host.SendAsync(HttpMethod.Post, "api/v1/breakers/binance-api/force", write, """{"state":"open","reason":"exchange maintenance 02:00-03:00"}"""))
        {
            var json = await forced.JsonAsync();
            Assert.True(forced.IsSuccessStatusCode, json.ToString());
            Assert.Equal("forced_open", State(json));
            Assert.Equal("closed", json.GetProperty("previous_state").GetString());
            Assert.Equal("ops-oncall", json.GetProperty("forced").GetProperty("by").GetString());
        }

        var refused = await PermitAsync(host, key: ping);
        Assert.False(refused.GetProperty("allowed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("retry_after_s").ValueKind);

        using (var auto = await host.SendAsync(HttpMethod.Post, "api/v1/breakers/binance-api/force", write, """{"state":"auto","reason":"maintenance over"}"""))
        {
            Assert.Equal("half_open", State(await auto.JsonAsync()));
        }

        var audit = (await host.GetJsonAsync("api/v1/audit")).GetProperty("entries").EnumerateArray()
            .Select(e => $"{e.GetProperty("key").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("target").GetString()}: {e.GetProperty("reason").GetString()}")
            .ToList();
        Assert.Equal(
            ["ops-oncall breaker.force.auto binance-api: maintenance over", "ops-oncall breaker.force.open binance-api: exchange maintenance 02:00-03:00",
             "admin key.create ops-oncall: scope write", "admin key.create trading-bot: scope ping",
             "vigil key.create admin: scope admin: the first start found no key, so Vigil made one and wrote it to admin.key in the data directory"],
            audit);
    }

    [Fact]
    public async Task Scopes_ping_may_permit_and_report_but_not_read_or_force_breakers()
    {
        await using var host = await StartAsync();
        var ping = await host.CreateKeyAsync("bot", "ping");

        Assert.True((await PermitAsync(host, key: ping)).GetProperty("allowed").GetBoolean());
        using (var report = await ReportAsync(host, "success", key: ping))
        {
            Assert.True(report.IsSuccessStatusCode);
        }

        using var list = await host.SendAsync(HttpMethod.Get, "api/v1/breakers", ping);
        await list.ProblemAsync(403);
        using var anonymous = await host.SendAsync(HttpMethod.Post, "api/v1/breakers/binance-api/permit");
        await anonymous.ProblemAsync(401);
    }

    [Theory]
    [InlineData("report", """{"probe_token":"abc"}""", "outcome")]
    [InlineData("report", """{"outcome":"ok"}""", "outcome")]
    [InlineData("report", """{"outcome":"success","probe_token":""}""", "probe_token")]
    [InlineData("report", """{"outcome":"success","extra":1}""", "extra")]
    [InlineData("report", """{"outcome":7}""", "outcome")]
    [InlineData("permit", """{"holder":"   "}""", "holder")]
    [InlineData("permit", """{"holder":12}""", "holder")]
    [InlineData("force", """{"state":"half_open","reason":"x"}""", "state")]
    [InlineData("force", """{"state":"open"}""", "reason")]
    [InlineData("force", """{"state":"open","reason":"  "}""", "reason")]
    public async Task Bad_input_is_a_problem_naming_the_field(string route, string body, string field)
    {
        await using var host = await StartAsync();

        using var response = await host.AdminAsync(HttpMethod.Post, $"api/v1/breakers/binance-api/{route}", body);

        var problem = await response.ProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Unknown_breakers_are_404_and_bad_names_400()
    {
        await using var host = await StartAsync();

        using var unknown = await host.AdminAsync(HttpMethod.Post, "api/v1/breakers/nope/permit", "{}");
        using var unknownReport = await host.AdminAsync(HttpMethod.Post, "api/v1/breakers/nope/report", """{"outcome":"success"}""");
        using var badName = await host.AdminAsync(HttpMethod.Get, "api/v1/breakers/NOT%20A%20NAME");

        await unknown.ProblemAsync(404);
        await unknownReport.ProblemAsync(404);
        Assert.True((await badName.ProblemAsync(400)).GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task A_permit_without_a_body_uses_the_keys_name_as_holder()
    {
        await using var host = await StartAsync();
        await TripAsync(host);
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));

        var permit = await PermitAsync(host, holder: null);

        Assert.True(permit.GetProperty("allowed").GetBoolean());
        var holder = (await BreakerAsync(host)).GetProperty("probes")[0].GetProperty("holder").GetString();
        Assert.StartsWith("admin@", holder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_keeps_state_counters_cooldown_and_the_probe_out_whose_ttl_still_frees_it()
    {
        using var dir = new TempDir();
        await using var host = await StartAsync(dir: dir);
        await TripAsync(host, failures: 4);
        await host.RestartAsync();
        Assert.Equal(4, (await BreakerAsync(host)).GetProperty("counters").GetProperty("consecutive_failures").GetInt32());
        await TripAsync(host, failures: 1);
        var cooldown = (await BreakerAsync(host)).GetProperty("cooldown_until").GetDateTimeOffset();

        await host.RestartAsync();
        var afterRestart = await BreakerAsync(host);
        Assert.Equal("open", State(afterRestart));
        Assert.Equal(cooldown, afterRestart.GetProperty("cooldown_until").GetDateTimeOffset());

        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        var probe = await PermitAsync(host, holder: "prober:1");
        await host.RestartAsync();
        var halfOpen = await BreakerAsync(host);
        Assert.Equal("half_open", State(halfOpen));
        Assert.Equal(1, halfOpen.GetProperty("probes_out").GetInt32());
        Assert.False((await PermitAsync(host, holder: "other:2")).GetProperty("allowed").GetBoolean());

        await host.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, (await BreakerAsync(host)).GetProperty("probes_out").GetInt32());
        Assert.Equal(probe.GetProperty("probe_expires_at").GetDateTimeOffset(), VigilHost.Epoch.AddSeconds(60));
        Assert.True((await PermitAsync(host, holder: "other:2")).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task The_openapi_document_lists_the_breaker_gate_and_audit_routes()
    {
        await using var host = await StartAsync();

        var paths = (await host.GetJsonAsync("openapi/v1.json")).GetProperty("paths");

        foreach (var path in new[] { "/api/v1/breakers", "/api/v1/breakers/{name}/permit", "/api/v1/breakers/{name}/report", "/api/v1/breakers/{name}/force",
                     "/api/v1/gates", "/api/v1/gates/{name}", "/api/v1/gates/{name}/kill", "/api/v1/gates/{name}/release", "/api/v1/audit" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }
    }
}
