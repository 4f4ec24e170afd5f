using System.Text.Json;
using Vigil.Domain.Checks;
using Vigil.Domain.Gates;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Gates and the kill switch through the HTTP API: 200 open, 423 closed with reasons and the kill switch.</summary>
public sealed class GateApiTests
{
    private static readonly GateDefinition Trading = new()
    {
        Name = "trading",
        CheckTags = ["trading"],
        MaxLevel = Level.Ok,
        Breakers = ["binance-api"],
        StartClosed = true,
    };

    private static readonly CheckDefinition Trader = new()
    {
        Name = "trader", Uuid = Guid.Parse("6a1f0d5e-3f43-4c3b-9d3a-0f6f3e1c2b10"), Every = TimeSpan.FromMinutes(1), Grace = TimeSpan.FromSeconds(30), Tags = ["trading"],
    };

    private static Task<VigilHost> StartAsync(GateDefinition? gate = null, TempDir? dir = null) =>
        VigilHost.StartAsync(s => s with { ChecksFromConfig = true, Checks = [Trader], Breakers = [BreakerApiTests.Exchange], Gates = [gate ?? Trading] }, dir);

    private static async Task<(int Status, JsonElement Body)> GateAsync(VigilHost host, string? key = null)
    {
        using var response = await host.SendAsync(HttpMethod.Get, "api/v1/gates/trading", key ?? host.AdminKey);
        return ((int)response.StatusCode, await response.JsonAsync());
    }

    private static async Task<(int Status, JsonElement Body)> SetAsync(VigilHost host, string action, string reason, string? key = null)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"api/v1/gates/trading/{action}", key ?? host.AdminKey, JsonSerializer.Serialize(new { reason }));
        return ((int)response.StatusCode, await response.JsonAsync());
    }

    private static string[] Reasons(JsonElement gate) =>
        [.. gate.GetProperty("reasons").EnumerateArray().Select(r => $"{r.GetProperty("kind").GetString()}:{r.GetProperty("name").GetString()}")];

    private static async Task PingTraderAsync(VigilHost host)
    {
        using var ping = await host.SendAsync(HttpMethod.Get, $"ping/{Trader.Uuid}");
        Assert.True(ping.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Start_closed_engages_the_kill_switch_after_every_start_and_release_is_audited_with_the_keys_name()
    {
        using var dir = new TempDir();
        await using var host = await StartAsync(dir: dir);
        await PingTraderAsync(host);

        var (status, closed) = await GateAsync(host);
        Assert.Equal(423, status);
        Assert.False(closed.GetProperty("open").GetBoolean());
        Assert.Equal(["kill:trading"], Reasons(closed));
        var kill = closed.GetProperty("kill");
        Assert.True(kill.GetProperty("engaged").GetBoolean());
        Assert.Equal("vigil", kill.GetProperty("by").GetString());
        Assert.Equal(VigilHost.Epoch, kill.GetProperty("at").GetDateTimeOffset());

        var admin = await host.CreateKeyAsync("head-trader", "admin");
        var (released, open) = await SetAsync(host, "release", "LIVE after checklist", admin);
        Assert.Equal(200, released);
        Assert.True(open.GetProperty("open").GetBoolean());
        Assert.Empty(Reasons(open));
        Assert.Equal(("head-trader", "LIVE after checklist", false),
            (open.GetProperty("kill").GetProperty("by").GetString(), open.GetProperty("kill").GetProperty("reason").GetString(), open.GetProperty("kill").GetProperty("engaged").GetBoolean()));

        await host.RestartAsync();
        await PingTraderAsync(host);
        var (afterRestart, again) = await GateAsync(host);
        Assert.Equal(423, afterRestart);
        Assert.Equal("vigil", again.GetProperty("kill").GetProperty("by").GetString());

        var audit = (await host.GetJsonAsync("api/v1/audit?limit=3")).GetProperty("entries").EnumerateArray()
            .Select(e => $"{e.GetProperty("key").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("target").GetString()}")
            .ToList();
        Assert.Equal(["vigil gate.kill trading", "head-trader gate.release trading", "admin key.create head-trader"], audit);
    }

    [Fact]
    public async Task A_covered_check_going_down_and_an_open_breaker_close_it_each_with_a_reason_and_health_shows_it()
    {
        await using var host = await StartAsync(Trading with { StartClosed = false });
        await PingTraderAsync(host);
        Assert.Equal(200, (await GateAsync(host)).Status);

        await host.AdvanceAsync(TimeSpan.FromMinutes(2));
        await BreakerApiTests.TripAsync(host);

        var (status, gate) = await GateAsync(host);
        Assert.Equal(423, status);
        Assert.Equal(["check:trader", "breaker:binance-api"], Reasons(gate));
        Assert.Contains("level critical is above ok", gate.GetProperty("reasons")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(gate.GetProperty("kill").GetProperty("engaged").GetBoolean());
        var health = await host.GetJsonAsync("api/v1/health");
        var component = Assert.Single(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("kind").GetString() == "gate");
        Assert.Equal("trading", component.GetProperty("name").GetString());
        Assert.Contains("breaker binance-api", component.GetProperty("reason").GetString(), StringComparison.Ordinal);

        await PingTraderAsync(host);
        Assert.Equal(["breaker:binance-api"], Reasons((await GateAsync(host)).Body));
    }

    [Fact]
    public async Task Gate_reads_need_only_a_ping_key_never_enter_the_writer_and_kill_needs_admin_and_a_reason()
    {
        await using var host = await StartAsync();
        var ping = await host.CreateKeyAsync("bot", "ping");
        var write = await host.CreateKeyAsync("ops", "write");
        var before = host.Loop.CommandsExecuted;

        var reads = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => GateAsync(host, ping)));
        using (var list = await host.SendAsync(HttpMethod.Get, "api/v1/gates", ping))
        {
            Assert.Equal(423, (int)list.StatusCode);
            var body = await list.JsonAsync();
            Assert.False(body.GetProperty("open").GetBoolean());
            Assert.Equal("trading", body.GetProperty("gates")[0].GetProperty("name").GetString());
        }

        Assert.All(reads, r => Assert.Equal(423, r.Status));
        Assert.Equal(before, host.Loop.CommandsExecuted);

        using var denied = await host.SendAsync(HttpMethod.Post, "api/v1/gates/trading/release", write, """{"reason":"x"}""");
        await denied.ProblemAsync(403);
        using var noReason = await host.AdminAsync(HttpMethod.Post, "api/v1/gates/trading/release", "{}");
        Assert.True((await noReason.ProblemAsync(400)).GetProperty("errors").TryGetProperty("reason", out _));
        using var unknown = await host.AdminAsync(HttpMethod.Post, "api/v1/gates/nope/kill", """{"reason":"x"}""");
        await unknown.ProblemAsync(404);
        using var unknownRead = await host.AdminAsync(HttpMethod.Get, "api/v1/gates/nope");
        await unknownRead.ProblemAsync(404);
    }

    [Fact]
    public async Task A_reload_that_names_an_undeclared_breaker_changes_nothing()
    {
        await using var host = await StartAsync(Trading with { StartClosed = false });
        await PingTraderAsync(host);

        var bad = host.Settings with { Gates = [Trading with { Breakers = ["not-declared"] }], Checks = [] };
        await Assert.ThrowsAsync<Domain.Evaluation.ConfigConflictException>(() => host.Server.ReloadAsync(bad));

        Assert.Equal(200, (await GateAsync(host)).Status);
        await host.GetJsonAsync("api/v1/checks/trader");
    }

    [Fact]
    public async Task Breakers_and_gates_from_vigil_yaml_are_accepted_and_served()
    {
        var config = Vigil.Configuration.ConfigLoader.LoadText("""
            checks:
              bot: { every: 1m, tags: [trading] }
            breakers:
              binance-api: { failure_rate: 0.5, min_calls: 10, window: 1m, open_for: 30s, backoff: 2.0, max_open_for: 30m, half_open_probes: 2, probe_ttl: 15s, severity: critical }
            gates:
              trading: { checks: { names: [bot], tags: [trading] }, max_level: warning, breakers: [binance-api], start_closed: true }
            """, "/etc/vigil/vigil.yaml", new Dictionary<string, string?>());
        Assert.True(config.IsValid, string.Join('\n', config.Problems));

        var (settings, unsupported) = SettingsFromConfig.Create(config.Config!, VigilHost.Epoch);

        Assert.Empty(unsupported);
        var breaker = Assert.Single(settings.Breakers);
        Assert.Equal((null, 0.5, 10, 2, Severity.Critical), (breaker.FailureThreshold, breaker.FailureRate, breaker.MinCalls, breaker.HalfOpenProbes, breaker.Severity));
        await using var host = await VigilHost.StartAsync(s => settings with { DataDirectory = s.DataDirectory, SqlitePath = null, Urls = s.Urls });
        var served = await host.GetJsonAsync("api/v1/breakers/binance-api");
        Assert.Equal(0.5, served.GetProperty("settings").GetProperty("failure_rate").GetDouble());
        var (status, body) = await GateAsync(host);
        Assert.Equal(423, status);
        Assert.Equal("warning", body.GetProperty("max_level").GetString());
    }

    [Fact]
    public async Task Audit_needs_admin_and_names_bad_limits_and_instants()
    {
        await using var host = await StartAsync();
        var write = await host.CreateKeyAsync("ops", "write");

        using var denied = await host.SendAsync(HttpMethod.Get, "api/v1/audit", write);
        await denied.ProblemAsync(403);
        using var badLimit = await host.AdminAsync(HttpMethod.Get, "api/v1/audit?limit=0");
        Assert.True((await badLimit.ProblemAsync(400)).GetProperty("errors").TryGetProperty("limit", out _));
        using var badSince = await host.AdminAsync(HttpMethod.Get, "api/v1/audit?since=yesterday");
        Assert.True((await badSince.ProblemAsync(400)).GetProperty("errors").TryGetProperty("since", out _));

        var since = await host.GetJsonAsync($"api/v1/audit?since={Uri.EscapeDataString(VigilHost.Epoch.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}");
        Assert.Equal(["gate.kill", "key.create", "key.create"], since.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()).Order());
    }

    [Fact]
    public async Task Revoking_a_key_is_audited_with_who_revoked_it()
    {
        await using var host = await StartAsync();
        await host.CreateKeyAsync("temp", "read");

        using var revoke = await host.AdminAsync(HttpMethod.Delete, "api/v1/keys/temp");
        Assert.True(revoke.IsSuccessStatusCode);

        var latest = (await host.GetJsonAsync("api/v1/audit?limit=1")).GetProperty("entries")[0];
        Assert.Equal(("admin", "key.revoke", "temp"), (latest.GetProperty("key").GetString(), latest.GetProperty("action").GetString(), latest.GetProperty("target").GetString()));
    }
}
