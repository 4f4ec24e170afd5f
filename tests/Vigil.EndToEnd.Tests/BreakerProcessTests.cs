using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Testing;
using Xunit.Abstractions;

namespace Vigil.EndToEnd.Tests;

/// <summary>A shared breaker across real processes: eight hammering one breaker, and a <c>vigil serve</c> killed
/// with -9 while a probe is out.</summary>
public sealed class BreakerProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Probes = 2;

    private FakeWebhook _hook = null!;
    private VigilServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _hook = await FakeWebhook.StartAsync();
        _server = new VigilServerProcess("""
            trader:
              every: 1h
              tags: [trading]
            """, _hook.Url, extraYaml: $"""
            breakers:
              hammered:
                failure_threshold: 1
                open_for: 100ms
                backoff: 1.0
                max_open_for: 100ms
                half_open_probes: {Probes}
                probe_ttl: 30s
              leaky:
                failure_threshold: 1
                open_for: 100ms
                half_open_probes: {Probes}
                probe_ttl: 1s
              exchange:
                failure_threshold: 1
                open_for: 1s
                max_open_for: 1s
                half_open_probes: 1
                probe_ttl: 12s
            gates:
              trading:
                checks: {"{"} tags: [trading] {"}"}
                breakers: [exchange]
                start_closed: true
            """);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _hook.DisposeAsync();
    }

    private async Task<JsonElement> BreakerAsync(string name) =>
        await _server.Http.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/breakers/{name}", UriKind.Relative));

    private async Task<JsonElement> PostAsync(string path, object body, int expected = 200)
    {
        using var response = await _server.Http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Eight_processes_hammering_one_breaker_never_hold_more_than_half_open_probes_and_never_see_a_torn_state()
    {
        var script = Path.Combine(VigilBinary.RepoRoot, "tests", "Vigil.EndToEnd.Tests", "breaker_hammer.py");
        var workers = Enumerable.Range(1, 8)
            .Select(seed => ChildProcess.Start("/usr/bin/python3",
                [script, _server.BaseUrl, _server.AdminKey, "8", seed.ToString(CultureInfo.InvariantCulture), Probes.ToString(CultureInfo.InvariantCulture), "1"]))
            .ToList();
        var lines = new List<JsonElement>();
        foreach (var worker in workers)
        {
            await using (worker)
            {
                var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, worker.Output);
                lines.AddRange(worker.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()));
            }
        }

        var violations = lines.Where(l => l.TryGetProperty("violation", out _)).Select(l => l.GetProperty("violation").GetString()).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations.Take(10)));
        var counts = lines.Where(l => l.TryGetProperty("counts", out _)).Select(l => l.GetProperty("counts")).ToList();
        output.WriteLine(string.Join("\n", counts.Select(c => c.ToString())));
        Assert.Equal(8, counts.Count);
        int Sum(string counter) => counts.Sum(c => c.GetProperty(counter).GetInt32());
        Assert.True(Sum("probes") >= 20 && Sum("slots_full") > 0 && Sum("gone") > 0,
            "the hammered breaker did not go through half-open with every slot taken and probes lost: the test exercised too little");

        // Sweep over every interval in which the server must have held a leaky probe slot; ends before starts
        // at the same instant.
        var held = lines.Where(l => l.TryGetProperty("held", out _)).Select(l => (From: l.GetProperty("held")[0].GetDouble(), To: l.GetProperty("held")[1].GetDouble())).ToList();
        var events = held.SelectMany(i => new[] { (At: i.From, Delta: +1), (At: i.To, Delta: -1) }).OrderBy(e => e.At).ThenBy(e => e.Delta);
        int concurrent = 0, most = 0;
        foreach (var (_, delta) in events)
        {
            concurrent += delta;
            most = Math.Max(most, concurrent);
        }

        output.WriteLine($"{held.Count} leaky probes; at most {most} held at once");
        Assert.True(most <= Probes, $"{most} probe permits were out at once; half_open_probes is {Probes}");
        Assert.True(most == Probes && Sum("leaky_full") > 0, $"the leaky breaker never had all {Probes} slots taken (at most {most}): the limit was not exercised");

        foreach (var name in new[] { "hammered", "leaky" })
        {
            Assert.InRange((await BreakerAsync(name)).GetProperty("probes_out").GetInt32(), 0, Probes);
        }
    }

    [Fact]
    public async Task Kill9_while_half_open_with_a_probe_out_keeps_the_probe_whose_ttl_still_frees_it_and_the_gate_closes_again()
    {
        await PostAsync("/api/v1/gates/trading/release", new { reason = "before the crash" }, 200);
        await PostAsync("/api/v1/breakers/exchange/report", new { outcome = "failure", error = "HTTP 503" });
        await Poll.UntilAsync(async () => (await BreakerAsync("exchange")).GetProperty("state").GetString() == "half_open", TimeSpan.FromSeconds(10), "the cooldown to end by itself");
        var probe = await PostAsync("/api/v1/breakers/exchange/permit", new { holder = "doomed:1" });
        Assert.Equal("half_open", probe.GetProperty("state").GetString());
        var expiresAt = probe.GetProperty("probe_expires_at").GetDateTimeOffset();

        await _server.KillHardAsync();
        await _server.StartAsync();

        // The restart takes a few seconds; the probe (12s TTL) is still out when it is back.
        var afterCrash = await BreakerAsync("exchange");
        Assert.Equal("half_open", afterCrash.GetProperty("state").GetString());
        Assert.Equal(1, afterCrash.GetProperty("probes_out").GetInt32());
        Assert.Equal(1, afterCrash.GetProperty("counters").GetProperty("trips").GetInt32());
        var blocked = await PostAsync("/api/v1/breakers/exchange/permit", new { holder = "other:2" });
        Assert.False(blocked.GetProperty("allowed").GetBoolean());
        using (var gate = await _server.Http.GetAsync(new Uri("/api/v1/gates/trading", UriKind.Relative)))
        {
            Assert.Equal(423, (int)gate.StatusCode);
            var body = JsonDocument.Parse(await gate.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("vigil", body.GetProperty("kill").GetProperty("by").GetString());
        }

        // Nobody reports the dead prober's probe: its TTL frees the slot, on the restarted server's clock.
        await Poll.UntilAsync(async () => (await BreakerAsync("exchange")).GetProperty("probes_out").GetInt32() == 0, TimeSpan.FromSeconds(30), "the dead probe's TTL to free its slot");
        Assert.True(DateTimeOffset.Parse((await BreakerAsync("exchange")).GetProperty("since").GetString()!, CultureInfo.InvariantCulture) <= expiresAt);
        var next = await PostAsync("/api/v1/breakers/exchange/permit", new { holder = "other:2" });
        Assert.True(next.GetProperty("allowed").GetBoolean());
        await PostAsync("/api/v1/breakers/exchange/report", new { outcome = "failure", probe_token = probe.GetProperty("probe_token").GetString() }, 410);
        await PostAsync("/api/v1/breakers/exchange/report", new { outcome = "success", probe_token = next.GetProperty("probe_token").GetString() });
        Assert.Equal("closed", (await BreakerAsync("exchange")).GetProperty("state").GetString());
    }
}
