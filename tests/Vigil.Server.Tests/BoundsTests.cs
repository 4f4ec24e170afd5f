using System.Net;
using Vigil.Server.Http;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Everything held in memory has a bound.</summary>
public sealed class BoundsTests
{
    [Fact]
    public async Task Pings_for_unknown_checks_create_no_rate_limit_buckets_and_a_deleted_check_frees_its_own()
    {
        await using var host = await VigilHost.StartAsync();
        var limiter = host.Server.Services.GetRequiredService<PingRateLimiter>();
        for (var i = 0; i < 200; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Get, $"ping/{Guid.NewGuid()}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(0, limiter.Tracked);

        await host.PutCheckAsync("job", """{"every":"1h"}""");
        using (var ping = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}"))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        Assert.Equal(1, limiter.Tracked);
        using (await host.AdminAsync(HttpMethod.Delete, "api/v1/checks/job")) { }
        Assert.Equal(0, limiter.Tracked);
    }

    [Fact]
    public async Task Checks_created_by_pings_stop_at_the_limit_with_a_clear_answer()
    {
        await using var host = await VigilHost.StartAsync(s => s with { Ping = s.Ping with { AutoCreateLimit = 2 } });
        var key = await host.CreateKeyAsync("jobs", "ping");

        Assert.Equal(201, (await host.SendAsync(HttpMethod.Get, $"ping/{key}/a?create=1").TextAsync()).Status);
        Assert.Equal(201, (await host.SendAsync(HttpMethod.Get, $"ping/{key}/b?create=1").TextAsync()).Status);
        var (status, text) = await host.SendAsync(HttpMethod.Get, $"ping/{key}/c?create=1").TextAsync();

        Assert.Equal(403, status);
        Assert.Contains("ping.auto_create_limit", text);
        Assert.Equal(200, (await host.SendAsync(HttpMethod.Get, $"ping/{key}/a?create=1").TextAsync()).Status);
        Assert.Equal("ping", (await host.GetJsonAsync("api/v1/checks/a")).GetProperty("check").GetProperty("managed_by").GetString());
    }

    [Fact]
    public async Task A_grace_beyond_the_limit_is_refused_by_the_api_naming_the_field()
    {
        await using var host = await VigilHost.StartAsync();

        using var response = await host.AdminAsync(HttpMethod.Put, "api/v1/checks/job", """{"every":"1s","grace":"3000000d"}""");

        var problem = await response.ProblemAsync(400);
        Assert.Contains("3650d", problem.GetProperty("errors").GetProperty("grace")[0].GetString());
    }
}
