using System.Text.Json;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Probe checks run by a real server: real probes against real targets, SQLite, Kestrel, the webhook
/// receiving what people would be told, and a fake clock driving the schedule.</summary>
public sealed class ProbeTests
{
    internal static CheckDefinition FileCheck(string name, string path, TimeSpan? every = null) => new()
    {
        Name = name,
        Kind = CheckKind.Probe,
        Every = every ?? TimeSpan.FromMinutes(1),
        ManagedBy = ManagedBy.Config,
        Probe = new FileProbeDefinition { Path = path },
        WarnIf = Condition.Parse("age > 5d"),
        CriticalIf = Condition.Parse("age > 7d"),
    };

    internal static CheckDefinition HttpCheck(string name, string url, TimeSpan every, TimeSpan timeout) => new()
    {
        Name = name,
        Kind = CheckKind.Probe,
        Every = every,
        ManagedBy = ManagedBy.Config,
        Probe = new HttpProbeDefinition { Url = new Uri(url), Timeout = timeout },
    };

    internal static Func<ServerSettings, ServerSettings> Declaring(params CheckDefinition[] checks) =>
        s => s with { Checks = checks, ChecksFromConfig = true };

    /// <summary>Reads the check until <paramref name="until"/> holds for it (its measurement is there by then).</summary>
    internal static async Task<JsonElement> CheckWhenAsync(VigilHost host, string check, Func<JsonElement, bool> until, string what)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () =>
        {
            last = await host.GetJsonAsync($"api/v1/checks/{check}");
            return last.GetProperty("measurement").ValueKind == JsonValueKind.Object && until(last);
        }, what);
        return last;
    }

    internal static string MeasuredLevel(JsonElement check) => check.GetProperty("measurement").GetProperty("level").GetString()!;

    internal static DateTimeOffset MeasuredAt(JsonElement check) => check.GetProperty("measurement").GetProperty("at").GetDateTimeOffset();

    private static void Touch(VigilHost host, string path, TimeSpan age) =>
        File.SetLastWriteTimeUtc(path, (host.Time.GetUtcNow() - age).UtcDateTime);

    private static bool Notified(FakeWebhook hook, string alert, string state) =>
        hook.Accepted.Any(r => r.Json.GetProperty("alert").GetString() == alert && r.Json.GetProperty("state").GetString() == state);

    [Fact]
    public async Task A_file_probe_goes_ok_warning_critical_ok_with_probe_alerts_fired_and_resolved_and_the_measurement_in_the_api()
    {
        using var files = new TempDir();
        var token = files.Combine("token.json");
        await File.WriteAllTextAsync(token, "{}");
        File.SetLastWriteTimeUtc(token, (VigilHost.Epoch - TimeSpan.FromDays(1)).UtcDateTime);
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => Declaring(FileCheck("broker-token", token))(VigilHost.WithWebhook(hook)(s)));

        var ok = await CheckWhenAsync(host, "broker-token", c => MeasuredLevel(c) == "ok", "an ok measurement");
        var measurement = ok.GetProperty("measurement");
        Assert.InRange(measurement.GetProperty("quantities").GetProperty("age").GetDouble(), 86_400 - 120, 86_400 + 120);
        Assert.Equal(2, measurement.GetProperty("quantities").GetProperty("bytes").GetDouble());
        Assert.Contains("(warn after 5d, critical after 7d)", measurement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", measurement.GetProperty("at").GetString(), StringComparison.Ordinal);
        Assert.Equal("up", ok.GetProperty("check").GetProperty("status").GetString());
        Assert.Equal("probe", ok.GetProperty("check").GetProperty("kind").GetString());
        Assert.Equal("file", ok.GetProperty("probe").GetProperty("kind").GetString());

        Touch(host, token, TimeSpan.FromDays(6));
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        var warning = await CheckWhenAsync(host, "broker-token", c => MeasuredLevel(c) == "warning", "a warning measurement");
        Assert.Equal("warning", warning.GetProperty("check").GetProperty("level").GetString());
        Assert.Equal("up", warning.GetProperty("check").GetProperty("status").GetString());
        Assert.Contains("6d", warning.GetProperty("measurement").GetProperty("reason").GetString(), StringComparison.Ordinal);
        await Poll.UntilAsync(() => Notified(hook, "probe_warning", "firing"), "the webhook told of the warning");

        Touch(host, token, TimeSpan.FromDays(8));
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        var critical = await CheckWhenAsync(host, "broker-token", c => MeasuredLevel(c) == "critical", "a critical measurement");
        Assert.Equal("critical", critical.GetProperty("check").GetProperty("level").GetString());
        Assert.Equal("down", critical.GetProperty("check").GetProperty("status").GetString());
        var alert = Assert.Single(critical.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("alert").GetString() == "probe_critical");
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        await Poll.UntilAsync(() => Notified(hook, "probe_critical", "firing"), "the webhook told of the critical");

        Touch(host, token, TimeSpan.FromHours(1));
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        var back = await CheckWhenAsync(host, "broker-token", c => MeasuredLevel(c) == "ok", "an ok measurement again");
        Assert.Equal("ok", back.GetProperty("check").GetProperty("level").GetString());
        Assert.Equal("up", back.GetProperty("check").GetProperty("status").GetString());
        await Poll.UntilAsync(() => Notified(hook, "probe_critical", "resolved") && Notified(hook, "probe_warning", "resolved"), "the webhook told both resolved");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        Assert.Equal(4, hook.Accepted.Count);

        var events = (await host.GetJsonAsync("api/v1/checks/broker-token/events?limit=100")).GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "probe").ToList();
        Assert.True(events.Count >= 4, $"one event per result, got {events.Count}");
        Assert.Contains(events, e => e.GetProperty("reason").GetString()!.Contains("8d", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_probe_that_never_answers_is_not_started_twice_and_is_cut_at_its_timeout_as_unmeasurable()
    {
        await using var target = await ProbeTarget.StartAsync(TimeProvider.System);
        await using var host = await VigilHost.StartAsync(Declaring(HttpCheck("slow-api", target.Url + "/slow", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20))));
        await Poll.UntilAsync(() => target.SlowStarts == 1, "the first run reached the endpoint");

        // Three slots pass while the run hangs: none starts a second run.
        await host.AdvanceAsync(TimeSpan.FromSeconds(15));
        var inFlight = await host.GetJsonAsync("api/v1/checks/slow-api");
        Assert.Equal(1, target.SlowStarts);
        Assert.Equal(JsonValueKind.String, inFlight.GetProperty("probe").GetProperty("in_flight_due_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, inFlight.GetProperty("measurement").ValueKind);

        await host.AdvanceAsync(TimeSpan.FromSeconds(5));
        var cut = await CheckWhenAsync(host, "slow-api", c => c.GetProperty("measurement").GetProperty("unmeasurable").GetBoolean(), "the run cut at its timeout");
        Assert.Contains("did not finish within 20s", cut.GetProperty("measurement").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("critical", MeasuredLevel(cut));
        Assert.Equal("down", cut.GetProperty("check").GetProperty("status").GetString());
        await Poll.UntilAsync(() => target.SlowOpen == 0, "the cut request was abandoned at the endpoint");
        Assert.Equal(1, target.SlowStarts);

        await host.AdvanceAsync(TimeSpan.FromSeconds(5));
        await Poll.UntilAsync(() => target.SlowStarts == 2, "the next slot starts a new run");
    }

    [Fact]
    public async Task A_restart_while_a_probe_is_in_flight_runs_it_again_after_start_and_nothing_stays_stuck()
    {
        await using var target = await ProbeTarget.StartAsync(TimeProvider.System);
        await using var host = await VigilHost.StartAsync(Declaring(HttpCheck("api", target.Url + "/slow", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5))));
        await Poll.UntilAsync(() => target.SlowStarts == 1, "the first run reached the endpoint");

        await host.RestartAsync();

        await Poll.UntilAsync(() => target.SlowStarts == 2, "the run was asked for again after the start");
        var running = await host.GetJsonAsync("api/v1/checks/api");
        Assert.Equal(JsonValueKind.String, running.GetProperty("probe").GetProperty("in_flight_due_at").ValueKind);
        Assert.Empty(running.GetProperty("alerts").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, running.GetProperty("measurement").ValueKind);

        target.Release();
        var done = await CheckWhenAsync(host, "api", c => MeasuredLevel(c) == "ok", "the rerun's result");
        Assert.Equal(JsonValueKind.Null, done.GetProperty("probe").GetProperty("in_flight_due_at").ValueKind);
        Assert.Equal("up", done.GetProperty("check").GetProperty("status").GetString());
        Assert.Equal(2, target.SlowStarts);
    }

    [Fact]
    public async Task A_poisoned_lane_still_answers_unmeasurable_and_a_killed_dispatcher_is_restarted()
    {
        using var files = new TempDir();
        var path = files.Combine("state.json");
        await File.WriteAllTextAsync(path, "{}");
        await using var host = await VigilHost.StartAsync(Declaring(FileCheck("state", path, TimeSpan.FromSeconds(10))));
        await CheckWhenAsync(host, "state", c => MeasuredLevel(c) == "ok", "a first ok measurement");

        host.Probes.PoisonLane = _ => throw new InvalidOperationException("poisoned lane");
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        var poisoned = await CheckWhenAsync(host, "state", c => MeasuredLevel(c) == "critical", "the poisoned run's answer");
        Assert.Contains("Vigil's probe scheduler failed running it (InvalidOperationException: poisoned lane)",
            poisoned.GetProperty("measurement").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("A probe lane for state failed", host.Logs.All, StringComparison.Ordinal);

        host.Probes.PoisonLane = null;
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        await CheckWhenAsync(host, "state", c => MeasuredLevel(c) == "ok", "an ok measurement after the lane recovered");

        var killed = 0;
        host.Probes.PoisonDispatcher = _ =>
        {
            if (Interlocked.Exchange(ref killed, 1) == 0)
            {
                throw new InvalidOperationException("poisoned dispatcher");
            }
        };
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        var held = await CheckWhenAsync(host, "state", c => MeasuredLevel(c) == "critical", "the answer to the run the dead dispatcher held");
        Assert.Contains("failed before running it (InvalidOperationException: poisoned dispatcher)",
            held.GetProperty("measurement").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, host.Probes.Restarts);

        // Restarted after its delay on the clock; the next runs go through it.
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        await CheckWhenAsync(host, "state", c => MeasuredLevel(c) == "ok", "an ok measurement through the restarted dispatcher");
        Assert.True(host.Probes.Dispatching);
        var health = await host.GetJsonAsync("api/v1/health");
        var component = Assert.Single(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("name").GetString() == "probe scheduler");
        Assert.Equal(1, component.GetProperty("figures").GetProperty("restarts").GetDouble());
        Assert.Contains("poisoned dispatcher", component.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_shows_the_probe_scheduler_with_its_lag_and_runs()
    {
        using var files = new TempDir();
        var path = files.Combine("state.json");
        await File.WriteAllTextAsync(path, "{}");
        await using var host = await VigilHost.StartAsync(Declaring(FileCheck("state", path, TimeSpan.FromSeconds(10))));
        await CheckWhenAsync(host, "state", c => MeasuredLevel(c) == "ok", "a first measurement");

        var health = await host.GetJsonAsync("api/v1/health");

        var component = Assert.Single(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("name").GetString() == "probe scheduler");
        Assert.Equal("vigil", component.GetProperty("kind").GetString());
        Assert.Equal("ok", component.GetProperty("level").GetString());
        Assert.StartsWith("running; ", component.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var figures = component.GetProperty("figures");
        Assert.True(figures.GetProperty("runs").GetDouble() >= 1);
        Assert.True(figures.GetProperty("lag_p99_ms").GetDouble() >= 0);
        Assert.Equal("ok", health.GetProperty("level").GetString());
    }

    [Fact]
    public async Task A_probe_check_refuses_pings_and_leases_with_a_sentence()
    {
        using var files = new TempDir();
        var path = files.Combine("state.json");
        await File.WriteAllTextAsync(path, "{}");
        await using var host = await VigilHost.StartAsync(Declaring(FileCheck("state", path)));
        var uuid = await host.UuidOfAsync("state");

        var (status, text) = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}").TextAsync();
        Assert.Equal(409, status);
        Assert.Contains("probe check", text, StringComparison.Ordinal);
        var (failStatus, _) = await host.SendAsync(HttpMethod.Post, $"ping/{uuid}/fail").TextAsync();
        Assert.Equal(409, failStatus);

        using var lease = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/state/lease/acquire", """{"ttl":"1m","holder":"me"}""");
        var problem = await lease.ProblemAsync(400);
        Assert.Contains("probe check", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var events = (await host.GetJsonAsync("api/v1/checks/state/events?limit=50")).GetProperty("events").EnumerateArray();
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() is "success" or "fail");
    }

    [Fact]
    public async Task With_always_200_a_ping_to_a_probe_check_is_answered_ok_and_still_changes_nothing()
    {
        using var files = new TempDir();
        var path = files.Combine("state.json");
        await File.WriteAllTextAsync(path, "{}");
        await using var host = await VigilHost.StartAsync(s => Declaring(FileCheck("state", path))(s) with { Ping = s.Ping with { Always200 = true } });
        var uuid = await host.UuidOfAsync("state");

        var (status, text) = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}/fail").TextAsync();

        Assert.Equal(200, status);
        Assert.Equal("OK (not accepted: a probe check)", text);
        Assert.NotEqual("down", await host.StatusOfAsync("state"));
    }
}
