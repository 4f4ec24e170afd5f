using System.Text.Json;
using Vigil.Server.Configuration;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Modes through a real server: a trading host's clock-skew check is a warning in paper and critical in live;
/// <c>PUT /api/v1/mode</c> switches at once, survives a restart, and VIGIL_MODE wins over the persisted choice.</summary>
public sealed class ModeApiTests
{
    private static string TradingHost(string timeUrl) => $$"""
        mode: paper
        modes:
          paper: {}
          live:
            checks:
              exchange-skew: { severity: critical }
        checks:
          exchange-skew:
            kind: probe
            every: 1m
            probe: { http_time: { url: "{{timeUrl}}", json: "$.serverTime", unit: ms, timeout: 5s } }
            critical_if: "skew > 2s"
            severity: warning
        """;

    /// <summary>The server's settings from the YAML as <c>vigil serve</c> reads it, with the test host's data and addresses.</summary>
    private static Func<ServerSettings, ServerSettings> FromYaml(string path, FakeWebhook hook, IReadOnlyDictionary<string, string?>? env = null) => s =>
    {
        var loaded = ServerSettingsLoader.Load(path, null, env ?? new Dictionary<string, string?>(), TimeProvider.System, out var problems);
        Assert.True(loaded is not null, string.Join('\n', problems));
        return VigilHost.WithWebhook(hook)(loaded with { DataDirectory = s.DataDirectory, Urls = s.Urls, ShutdownTimeout = s.ShutdownTimeout });
    };

    private static async Task<string> LevelAsync(VigilHost host) =>
        (await host.GetJsonAsync("api/v1/checks/exchange-skew")).GetProperty("check").GetProperty("level").GetString()!;

    [Fact]
    public async Task A_mode_switch_applies_at_once_survives_a_restart_and_VIGIL_MODE_wins_over_it()
    {
        using var files = new TempDir();
        // The endpoint's clock is the server's fake one (it does not move in this test) plus 5 seconds.
        await using var target = await ProbeTarget.StartAsync(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(VigilHost.Epoch));
        target.SkewSeconds = 5;
        var config = files.Combine("vigil.yaml");
        await File.WriteAllTextAsync(config, TradingHost(target.Url + "/time"));
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(FromYaml(config, hook));

        // Paper: the skew is measured critical, and pages as a warning.
        var paper = await ProbeTests.CheckWhenAsync(host, "exchange-skew", c => ProbeTests.MeasuredLevel(c) == "critical", "the skew measured");
        Assert.Contains("Vigil's clock is 5s behind", paper.GetProperty("measurement").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("warning", await LevelAsync(host));
        var shown = await host.GetJsonAsync("api/v1/mode", await host.CreateKeyAsync("grafana", "read"));
        Assert.Equal("paper", shown.GetProperty("mode").GetString());
        Assert.Equal(["paper", "live"], shown.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("config", shown.GetProperty("source").GetString());
        Assert.Equal("paper", (await host.GetJsonAsync("api/v1/health")).GetProperty("mode").GetString());

        using (var switched = await host.AdminAsync(HttpMethod.Put, "api/v1/mode", """{"mode":"live","reason":"going live after the dry run"}"""))
        {
            var body = await switched.JsonAsync();
            Assert.True(switched.IsSuccessStatusCode, body.ToString());
            Assert.Equal(("live", "paper", true), (body.GetProperty("mode").GetString(), body.GetProperty("previous").GetString(), body.GetProperty("changed").GetBoolean()));
        }

        // At once: the same measurement is critical now, and people are told so with the new severity.
        Assert.Equal("critical", await LevelAsync(host));
        Assert.Equal("live", (await host.GetJsonAsync("api/v1/health")).GetProperty("mode").GetString());
        await Poll.UntilAsync(() => hook.Accepted.Any(r => r.Json.GetProperty("alert").GetString() == "probe_critical"
            && r.Json.GetProperty("severity").GetString() == "critical"), "the webhook told of the critical skew");
        var events = (await host.GetJsonAsync("api/v1/checks/exchange-skew/events?limit=100")).GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("reason").GetString()!.Contains("severity is now critical", StringComparison.Ordinal));
        Assert.Contains("Mode changed from paper to live by admin: going live after the dry run", host.Logs.All, StringComparison.Ordinal);

        // Audited with the key's name, in the same transaction as the switch: it is there after the restart below too.
        static async Task<JsonElement> ModeAuditAsync(VigilHost host) =>
            Assert.Single((await host.GetJsonAsync("api/v1/audit?limit=1000")).GetProperty("entries").EnumerateArray(),
                e => e.GetProperty("action").GetString() == "mode.change");
        var audited = await ModeAuditAsync(host);
        Assert.Equal(("admin", "live"), (audited.GetProperty("key").GetString(), audited.GetProperty("target").GetString()));
        Assert.Contains("going live after the dry run", audited.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // A reload of the same file keeps the mode chosen through the API.
        await host.Server.ReloadAsync(FromYaml(config, hook)(host.Settings));
        Assert.Equal("live", (await host.GetJsonAsync("api/v1/mode")).GetProperty("mode").GetString());
        Assert.Equal("critical", await LevelAsync(host));

        await host.RestartAsync();
        var afterRestart = await host.GetJsonAsync("api/v1/mode");
        Assert.Equal(("live", "api"), (afterRestart.GetProperty("mode").GetString(), afterRestart.GetProperty("source").GetString()));
        Assert.Equal("live", (await ModeAuditAsync(host)).GetProperty("target").GetString());
        Assert.Equal("critical", await LevelAsync(host));

        // VIGIL_MODE forces a mode at deploy, whatever was chosen through the API.
        await host.RestartAsync(FromYaml(config, hook, new Dictionary<string, string?> { ["VIGIL_MODE"] = "paper" }));
        var forced = await host.GetJsonAsync("api/v1/mode");
        Assert.Equal(("paper", "environment", true), (forced.GetProperty("mode").GetString(), forced.GetProperty("source").GetString(),
            forced.GetProperty("forced_by_environment").GetBoolean()));
        Assert.Equal("live", forced.GetProperty("chosen_through_api").GetString());
        Assert.Equal("warning", await LevelAsync(host));
    }

    [Fact]
    public async Task A_mode_change_needs_an_admin_key_a_reason_and_a_declared_mode()
    {
        using var files = new TempDir();
        await using var target = await ProbeTarget.StartAsync(TimeProvider.System);
        var config = files.Combine("vigil.yaml");
        await File.WriteAllTextAsync(config, TradingHost(target.Url + "/time"));
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(FromYaml(config, hook));
        var write = await host.CreateKeyAsync("deployer", "write");

        using (var notAdmin = await host.SendAsync(HttpMethod.Put, "api/v1/mode", write, """{"mode":"live","reason":"x"}"""))
        {
            await notAdmin.ProblemAsync(403);
        }

        using (var noReason = await host.AdminAsync(HttpMethod.Put, "api/v1/mode", """{"mode":"live"}"""))
        {
            var problem = await noReason.ProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out _), problem.ToString());
        }

        using (var unknown = await host.AdminAsync(HttpMethod.Put, "api/v1/mode", """{"mode":"yolo","reason":"x"}"""))
        {
            var problem = await unknown.ProblemAsync(400);
            Assert.Contains("declared: paper, live", problem.GetProperty("errors").GetProperty("mode")[0].GetString(), StringComparison.Ordinal);
        }

        using (var extra = await host.AdminAsync(HttpMethod.Put, "api/v1/mode", """{"mode":"live","reason":"x","force":true}"""))
        {
            await extra.ProblemAsync(400);
        }

        Assert.Equal("paper", (await host.GetJsonAsync("api/v1/mode")).GetProperty("mode").GetString());
        Assert.Null(host.ReadModel.Mode!.Chosen);
    }

    [Fact]
    public async Task Without_modes_the_mode_is_null_and_a_switch_is_refused()
    {
        await using var host = await VigilHost.StartAsync();

        var shown = await host.GetJsonAsync("api/v1/mode");
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("mode").ValueKind);
        Assert.Empty(shown.GetProperty("modes").EnumerateArray());
        using var refused = await host.AdminAsync(HttpMethod.Put, "api/v1/mode", """{"mode":"live","reason":"x"}""");
        await refused.ProblemAsync(409);
    }

    [Fact]
    public void The_server_refuses_a_config_with_modes_and_no_mode()
    {
        using var files = new TempDir();
        var config = files.Combine("vigil.yaml");
        File.WriteAllText(config, "modes:\n  paper: {}\n  live: {}\n");

        var settings = ServerSettingsLoader.Load(config, null, new Dictionary<string, string?>(), TimeProvider.System, out var problems);

        Assert.Null(settings);
        Assert.Contains(problems, p => p.Contains("modes: are declared, so mode: must choose one of paper, live (or set VIGIL_MODE)", StringComparison.Ordinal));
    }
}
