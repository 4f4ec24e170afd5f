using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Acquire, renew, release and expiry over real HTTP, on a fake clock.</summary>
public sealed class LeaseTests
{
    private static string Acquire(string ttl, string holder) => $$"""{"ttl":"{{ttl}}","holder":"{{holder}}"}""";

    private static string Token(string token, string? extra = null) => $$"""{"token":"{{token}}"{{extra}}}""";

    [Fact]
    public async Task Acquire_conflict_renew_release_and_gone()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("trader", """{"every":"1h","grace":"10m"}""");
        var pingKey = await host.CreateKeyAsync("worker", "ping");

        using var acquired = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/acquire", pingKey, Acquire("12m", "host-a:101"));
        Assert.Equal(201, (int)acquired.StatusCode);
        var grant = await acquired.JsonAsync();
        var token = grant.GetProperty("token").GetString()!;
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal(1, grant.GetProperty("fencing_token").GetInt64());
        Assert.Equal("2026-03-02T09:12:00Z", grant.GetProperty("expires_at").GetString());
        var rid = grant.GetProperty("rid").GetGuid();

        using var second = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/acquire", pingKey, Acquire("12m", "host-b:202"));
        var conflict = await second.ProblemAsync(409);
        var holder = Assert.Single(conflict.GetProperty("holders").EnumerateArray());
        Assert.Equal("host-a:101", holder.GetProperty("holder").GetString());
        Assert.Equal("2026-03-02T09:12:00Z", holder.GetProperty("expires_at").GetString());
        Assert.Equal(rid, holder.GetProperty("rid").GetGuid());

        var detail = await host.GetJsonAsync("api/v1/checks/trader");
        Assert.Single(detail.GetProperty("leases").EnumerateArray());
        Assert.True(detail.GetProperty("check").GetProperty("started").GetBoolean());

        host.Time.Advance(TimeSpan.FromMinutes(1));
        using var renewed = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/renew", pingKey, Token(token, ""","ttl":"20m" """));
        Assert.Equal(200, (int)renewed.StatusCode);
        Assert.Equal("2026-03-02T09:21:00Z", (await renewed.JsonAsync()).GetProperty("expires_at").GetString());

        using var released = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/release", pingKey,
            Token(token, ""","outcome":"success","exit_code":0,"message":"done","log":"all good" """));
        Assert.Equal(200, (int)released.StatusCode);
        var run = await host.GetJsonAsync($"api/v1/checks/trader/runs/{rid}");
        Assert.Equal("success", run.GetProperty("outcome").GetString());
        Assert.Equal("host-a:101", run.GetProperty("holder").GetString());
        Assert.Equal("up", await host.StatusOfAsync("trader"));

        using var renewAfter = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/renew", pingKey, Token(token));
        await renewAfter.ProblemAsync(410);
        using var releaseAfter = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/release", pingKey, Token(token, ""","outcome":"fail" """));
        await releaseAfter.ProblemAsync(410);
        var events = (await host.GetJsonAsync("api/v1/checks/trader/events")).GetProperty("events").EnumerateArray();
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "late_report");

        // The next acquire gets the next fencing token.
        using var again = await host.SendAsync(HttpMethod.Post, "api/v1/checks/trader/lease/acquire", pingKey, Acquire("5m", "host-b:202"));
        Assert.Equal(2, (await again.JsonAsync()).GetProperty("fencing_token").GetInt64());

        using var missing = await host.SendAsync(HttpMethod.Post, "api/v1/checks/nope/lease/acquire", pingKey, Acquire("5m", "x"));
        await missing.ProblemAsync(404);
    }

    [Fact]
    public async Task Concurrency_two_admits_two_holders()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("pool", """{"every":"1h","concurrency":2}""");
        for (var i = 0; i < 2; i++)
        {
            using var ok = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/pool/lease/acquire", Acquire("1m", $"h:{i}"));
            Assert.Equal(201, (int)ok.StatusCode);
        }

        using var third = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/pool/lease/acquire", Acquire("1m", "h:3"));
        Assert.Equal(2, (await third.ProblemAsync(409)).GetProperty("holders").GetArrayLength());
    }

    [Fact]
    public async Task A_lease_that_expires_while_held_ends_its_run_and_takes_the_check_down()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("trader", """{"every":"1h","grace":"10m"}""");
        using var acquired = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/trader/lease/acquire", Acquire("30s", "host-a:1"));
        var grant = await acquired.JsonAsync();
        var token = grant.GetProperty("token").GetString()!;
        var rid = grant.GetProperty("rid").GetGuid();

        await host.AdvanceAsync(TimeSpan.FromSeconds(35));
        await Poll.UntilAsync(async () => await host.StatusOfAsync("trader") == "down", "the check is down after its lease expired");

        using var renew = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/trader/lease/renew", Token(token));
        await renew.ProblemAsync(410);
        var run = await host.GetJsonAsync($"api/v1/checks/trader/runs/{rid}");
        Assert.Equal("lease_expired", run.GetProperty("outcome").GetString());
        var detail = await host.GetJsonAsync("api/v1/checks/trader");
        Assert.Equal(0, detail.GetProperty("leases").GetArrayLength());
        Assert.Contains(detail.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("alert").GetString() == "down");
    }

    [Fact]
    public async Task A_lease_renewed_in_time_keeps_the_check_up_past_its_schedule()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("trader", """{"every":"1m","grace":"30s"}""");
        using var acquired = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/trader/lease/acquire", Acquire("40s", "host-a:1"));
        var token = (await acquired.JsonAsync()).GetProperty("token").GetString()!;
        for (var i = 0; i < 6; i++)
        {
            await host.AdvanceAsync(TimeSpan.FromSeconds(30));
            using var renew = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/trader/lease/renew", Token(token));
            Assert.Equal(200, (int)renew.StatusCode);
        }

        Assert.Equal("up", await host.StatusOfAsync("trader"));
    }

    [Fact]
    public async Task Lease_bodies_are_validated_field_by_field()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("trader", """{"every":"1h"}""");
        using var bad = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/trader/lease/acquire", """{"ttl":"forever","data_ts":"2026-01-01T00:00:00"}""");
        var problem = await bad.ProblemAsync(400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("ttl", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("holder", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("data_ts", out _), problem.ToString());

        using var outcome = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/trader/lease/release", """{"token":"x","outcome":"maybe"}""");
        Assert.True((await outcome.ProblemAsync(400)).GetProperty("errors").TryGetProperty("outcome", out _));
    }
}
