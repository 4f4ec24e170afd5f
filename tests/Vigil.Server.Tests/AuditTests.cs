using System.Net;
using System.Text.Json;
using Vigil.Server.Engine;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>What the audit log records beyond kill switches and forces (the first admin key, silences), and how
/// <c>audit.retention</c> prunes it, through a real server on a fake clock.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task The_first_start_audits_the_admin_key_it_made_as_vigil_and_a_restart_adds_nothing()
    {
        using var dir = new TempDir();
        await using var host = await VigilHost.StartAsync(dir: dir);

        var first = await AuditAsync(host);
        await host.RestartAsync();
        var again = await AuditAsync(host);

        var entry = Assert.Single(first);
        Assert.Equal("vigil key.create admin", $"{entry.Key} {entry.Action} {entry.Target}");
        Assert.Equal(VigilHost.Epoch, entry.At);
        Assert.StartsWith("scope admin: the first start found no key", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task A_silence_added_and_expired_through_the_API_is_audited_with_each_keys_name_its_target_and_reason()
    {
        await using var host = await VigilHost.StartAsync();
        var ops = await host.CreateKeyAsync("ops", "write");

        using var added = await host.SendAsync(HttpMethod.Post, "api/v1/silences", ops,
            """{"match":{"check":"harvest-*","severity":"critical"},"duration":"2h","reason":"exchange maintenance 02:00-04:00"}""");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var id = (await added.JsonAsync()).GetProperty("id").GetString();
        var afterAdd = await AuditAsync(host);
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        using (var expired = await host.AdminAsync(HttpMethod.Delete, $"api/v1/silences/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        }

        var afterExpire = await AuditAsync(host);

        var target = $"silence {id} (check harvest-* and severity critical)";
        Assert.Equal($"ops silence.add {target}: exchange maintenance 02:00-04:00", Line(afterAdd[0]));
        Assert.Equal(VigilHost.Epoch, afterAdd[0].At);
        Assert.Equal(
            [$"admin silence.expire {target}: exchange maintenance 02:00-04:00", $"ops silence.add {target}: exchange maintenance 02:00-04:00",
             "admin key.create ops", "vigil key.create admin"],
            afterExpire.Select(e => e.Action.StartsWith("key.", StringComparison.Ordinal) ? $"{e.Key} {e.Action} {e.Target}" : Line(e)));
        Assert.Equal(VigilHost.Epoch.AddSeconds(30), afterExpire[0].At);

        // A refused request changes nothing, so it records nothing.
        using (var missing = await host.AdminAsync(HttpMethod.Delete, $"api/v1/silences/{id}"))
        {
            await missing.ProblemAsync(404);
        }

        Assert.Equal(4, (await AuditAsync(host)).Count);
    }

    [Fact]
    public async Task A_pass_prunes_only_entries_older_than_the_retention_on_the_fake_clock()
    {
        await using var host = await VigilHost.StartAsync(s => s with { AuditRetention = TimeSpan.FromHours(2) });
        var retention = host.Server.Services.GetRequiredService<AuditRetention>();
        await host.CreateKeyAsync("ops", "write");                                   // at Epoch, with the bootstrap key
        host.Time.Advance(TimeSpan.FromMinutes(90));
        await AddSilenceAsync(host, "late");                                          // at Epoch + 90m

        host.Time.Advance(TimeSpan.FromMinutes(30));                                  // Epoch + 2h: the cutoff is Epoch itself
        var atTheEdge = await retention.PruneOnceAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var justPast = await retention.PruneOnceAsync(CancellationToken.None);
        var left = await AuditAsync(host);

        Assert.Equal(0, atTheEdge);
        Assert.Equal(2, justPast);
        Assert.Equal(["admin silence.add"], left.Select(e => $"{e.Key} {e.Action}"));
        Assert.Contains(host.Logs.Lines, l => l.Contains("Pruned 2 audit entries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_background_pass_runs_by_itself_as_the_clock_moves_and_a_reload_changes_the_retention()
    {
        await using var host = await VigilHost.StartAsync(s => s with { AuditRetention = TimeSpan.FromHours(1) });
        await host.CreateKeyAsync("ops", "write");

        // Ten-minute steps: the pruner's hourly timer fires on the way, with nobody calling it.
        for (var i = 0; i < 18; i++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(10);
        }

        await Poll.UntilAsync(async () => (await AuditAsync(host)).Count == 0, "the hourly pass pruned both entries made at the start");

        await AddSilenceAsync(host, "kept");
        await host.Server.ReloadAsync(host.Settings with { AuditRetention = TimeSpan.FromDays(400) });
        for (var i = 0; i < 18; i++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(10);
        }

        Assert.Equal(TimeSpan.FromDays(400), host.Server.Services.GetRequiredService<AuditRetention>().Retention);
        Assert.Equal(["admin silence.add"], (await AuditAsync(host)).Select(e => $"{e.Key} {e.Action}"));
    }

    private static async Task AddSilenceAsync(VigilHost host, string reason)
    {
        using var added = await host.AdminAsync(HttpMethod.Post, "api/v1/silences", $$"""{"duration":"1h","reason":"{{reason}}"}""");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
    }

    private static string Line(Entry e) => $"{e.Key} {e.Action} {e.Target}: {e.Reason}";

    private static async Task<List<Entry>> AuditAsync(VigilHost host) =>
        [.. (await host.GetJsonAsync("api/v1/audit?limit=1000")).GetProperty("entries").EnumerateArray().Select(Entry.From)];

    private sealed record Entry(DateTimeOffset At, string Key, string Action, string Target, string Reason)
    {
        public static Entry From(JsonElement e) => new(
            e.GetProperty("at").GetDateTimeOffset(), e.GetProperty("key").GetString()!, e.GetProperty("action").GetString()!,
            e.GetProperty("target").GetString()!, e.GetProperty("reason").GetString()!);
    }
}
