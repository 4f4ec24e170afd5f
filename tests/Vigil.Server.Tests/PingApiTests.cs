using System.Net;
using System.Text;
using System.Text.Json;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>The Healthchecks-compatible ping API, route by route, over real HTTP.</summary>
public sealed class PingApiTests
{
    private static async Task<(int Status, string Text, HttpResponseMessage Response)> PingAsync(VigilHost host, HttpMethod method, string path, string? body = null)
    {
        using var request = host.Request(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }

        var response = await host.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static async Task<(int Status, string Text)> PingTextAsync(VigilHost host, string path, HttpMethod? method = null, string? body = null)
    {
        var (status, text, response) = await PingAsync(host, method ?? HttpMethod.Get, path, body);
        response.Dispose();
        return (status, text);
    }

    [Fact]
    public async Task Every_uuid_route_answers_as_healthchecks_does()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h","grace":"10m"}""");
        var uuid = await host.UuidOfAsync("job");

        var (status, text, response) = await PingAsync(host, HttpMethod.Get, $"ping/{uuid}");
        Assert.Equal((200, "OK"), (status, text));
        Assert.Equal("100000", response.Headers.GetValues("Ping-Body-Limit").Single());
        response.Dispose();
        Assert.Equal("up", await host.StatusOfAsync("job"));

        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/start"));
        Assert.True((await host.GetJsonAsync("api/v1/checks/job")).GetProperty("check").GetProperty("started").GetBoolean());
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/log", HttpMethod.Post, "progress"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/0"));
        Assert.Equal("up", await host.StatusOfAsync("job"));

        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/fail"));
        Assert.Equal("down", await host.StatusOfAsync("job"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}"));
        Assert.Equal("up", await host.StatusOfAsync("job"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/1"));
        Assert.Equal("down", await host.StatusOfAsync("job"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/255"));
        Assert.Equal((400, "invalid url format"), await PingTextAsync(host, $"ping/{uuid}/256"));
        Assert.Equal((400, "invalid url format"), await PingTextAsync(host, $"ping/{uuid}/99999"));
        Assert.Equal((404, "not found"), await PingTextAsync(host, $"ping/{uuid}/nonsense"));
        Assert.Equal((404, "not found"), await PingTextAsync(host, $"ping/{Guid.NewGuid()}"));

        var runs = await host.RunsAsync("job");
        Assert.Contains(runs, r => r.GetProperty("outcome").GetString() == "fail" && r.GetProperty("exit_code").ValueKind == JsonValueKind.Number && r.GetProperty("exit_code").GetInt32() == 255);
        Assert.Contains(runs, r => r.GetProperty("outcome").GetString() == "success" && r.GetProperty("exit_code").ValueKind == JsonValueKind.Number && r.GetProperty("exit_code").GetInt32() == 0);
    }

    [Fact]
    public async Task Every_method_counts_and_head_gets_no_body()
    {
        await using var host = await VigilHost.StartAsync(s => s with { Ping = new PingSettings { RateLimitPerSecond = 0 } });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Post, HttpMethod.Put })
        {
            var (status, _, response) = await PingAsync(host, method, $"ping/{uuid}", method == HttpMethod.Post || method == HttpMethod.Put ? "x" : null);
            Assert.True(status == 200, $"{method} answered {status}");
            response.Dispose();
        }

        var events = (await host.GetJsonAsync("api/v1/checks/job/events")).GetProperty("events").EnumerateArray()
            .Count(e => e.GetProperty("type").GetString() == "success");
        Assert.Equal(4, events);

        var (deleteStatus, _) = await PingTextAsync(host, $"ping/{uuid}", HttpMethod.Delete);
        Assert.Equal(405, deleteStatus);
    }

    [Fact]
    public async Task Slug_routes_with_a_ping_key_take_every_suffix()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("nightly-backup", """{"every":"1d","grace":"1h"}""");
        var pingKey = await host.CreateKeyAsync("pinger", "ping");

        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup/start"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup/log"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup"));
        Assert.Equal("up", await host.StatusOfAsync("nightly-backup"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup/fail"));
        Assert.Equal("down", await host.StatusOfAsync("nightly-backup"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup/0"));
        Assert.Equal("up", await host.StatusOfAsync("nightly-backup"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup/3"));
        Assert.Equal("down", await host.StatusOfAsync("nightly-backup"));
        Assert.Equal((400, "invalid url format"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup/256"));

        Assert.Equal((404, "not found"), await PingTextAsync(host, $"ping/{pingKey}/no-such-check"));
        Assert.Equal((404, "not found"), await PingTextAsync(host, "ping/vgl_wrongkey/nightly-backup"));
        await host.AdminAsync(HttpMethod.Delete, "api/v1/keys/pinger");
        Assert.Equal((404, "not found"), await PingTextAsync(host, $"ping/{pingKey}/nightly-backup"));
    }

    [Fact]
    public async Task Create_on_a_slug_route_makes_the_check_with_auto_create_defaults()
    {
        await using var host = await VigilHost.StartAsync();
        var pingKey = await host.CreateKeyAsync("pinger", "ping");

        Assert.Equal((201, "Created"), await PingTextAsync(host, $"ping/{pingKey}/made-by-ping?create=1"));
        var check = await host.GetJsonAsync("api/v1/checks/made-by-ping");
        Assert.Equal("up", check.GetProperty("check").GetProperty("status").GetString());
        Assert.Equal(86400, check.GetProperty("settings").GetProperty("every_s").GetDouble());
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{pingKey}/made-by-ping?create=1"));
        Assert.Equal(400, (await PingTextAsync(host, $"ping/{pingKey}/Bad_Name?create=1")).Status);
    }

    [Fact]
    public async Task The_body_becomes_the_run_log_up_to_the_limit_and_the_cut_is_recorded()
    {
        await using var host = await VigilHost.StartAsync(s => s with { Ping = new PingSettings { BodyLimit = 1000 } });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");
        var rid = Guid.NewGuid();

        var (status, _, response) = await PingAsync(host, HttpMethod.Post, $"ping/{uuid}/start?rid={rid}", "starting");
        Assert.Equal(200, status);
        Assert.Equal("1000", response.Headers.GetValues("Ping-Body-Limit").Single());
        response.Dispose();

        var big = string.Concat(Enumerable.Repeat("0123456789", 250)); // 2500 bytes
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}?rid={rid}", HttpMethod.Post, big));

        var run = await host.GetJsonAsync($"api/v1/checks/job/runs/{rid}");
        Assert.Equal("success", run.GetProperty("outcome").GetString());
        Assert.True(run.GetProperty("log_truncated").GetBoolean());
        Assert.Equal(1000, run.GetProperty("log_bytes").GetInt32());
        using var log = await host.AdminAsync(HttpMethod.Get, $"api/v1/checks/job/runs/{rid}/log");
        Assert.Equal(big[..1000], await log.Content.ReadAsStringAsync());

        // A small body is kept whole, not marked cut; a PUT counts like a POST.
        var rid2 = Guid.NewGuid();
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/fail?rid={rid2}", HttpMethod.Put, "boom"));
        var run2 = await host.GetJsonAsync($"api/v1/checks/job/runs/{rid2}");
        Assert.Equal("fail", run2.GetProperty("outcome").GetString());
        Assert.False(run2.GetProperty("log_truncated").GetBoolean());
        using var log2 = await host.AdminAsync(HttpMethod.Get, $"api/v1/checks/job/runs/{rid2}/log");
        Assert.Equal("boom", await log2.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rid_ties_start_and_end_with_several_runs_open()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h","grace":"30m"}""");
        var uuid = await host.UuidOfAsync("job");
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/start?rid={a}"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/start?rid={b}"));
        Assert.Equal(2, (await host.GetJsonAsync("api/v1/checks/job")).GetProperty("open_runs").GetArrayLength());

        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}/fail?rid={b}"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}?rid={a}"));
        Assert.Equal("fail", (await host.GetJsonAsync($"api/v1/checks/job/runs/{b}")).GetProperty("outcome").GetString());
        Assert.Equal("success", (await host.GetJsonAsync($"api/v1/checks/job/runs/{a}")).GetProperty("outcome").GetString());
        Assert.Equal(0, (await host.GetJsonAsync("api/v1/checks/job")).GetProperty("open_runs").GetArrayLength());

        Assert.Equal((400, "invalid uuid format"), await PingTextAsync(host, $"ping/{uuid}/start?rid=not-a-uuid"));
    }

    [Fact]
    public async Task Data_ts_is_accepted_as_epoch_or_rfc3339_and_a_bad_one_is_explained()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("feed", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("feed");
        var epoch = VigilHost.Epoch.AddMinutes(-5).ToUnixTimeSeconds();

        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}?data_ts={epoch}"));
        var check = (await host.GetJsonAsync("api/v1/checks/feed")).GetProperty("check");
        Assert.Equal("2026-03-02T08:55:00Z", check.GetProperty("data_ts").GetString());
        Assert.Equal(300, check.GetProperty("data_age_s").GetDouble());
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}?data_ts=2026-03-02T10:57:00%2B02:00"));

        foreach (var bad in new[] { "2026-01-01T00:00:00", "yesterday", "" })
        {
            var (status, text) = await PingTextAsync(host, $"ping/{uuid}?data_ts={Uri.EscapeDataString(bad)}");
            Assert.True(status == 400, $"data_ts='{bad}' answered {status}: {text}");
            Assert.StartsWith("invalid data_ts: ", text, StringComparison.Ordinal);
            Assert.True(text.Length > "invalid data_ts: ".Length + 10, text);
        }

        var (naiveStatus, naive) = await PingTextAsync(host, $"ping/{uuid}?data_ts=2026-01-01T00:00:00");
        Assert.Equal(400, naiveStatus);
        Assert.Contains("offset", naive, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Above_the_rate_limit_a_check_answers_429()
    {
        await using var host = await VigilHost.StartAsync(s => s with { Ping = new PingSettings { RateLimitPerSecond = 2 } });
        await host.PutCheckAsync("chatty", """{"every":"1h"}""");
        await host.PutCheckAsync("quiet", """{"every":"1h"}""");
        var chatty = await host.UuidOfAsync("chatty");
        var quiet = await host.UuidOfAsync("quiet");

        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{chatty}"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{chatty}"));
        Assert.Equal((429, "rate limited"), await PingTextAsync(host, $"ping/{chatty}"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{quiet}"));

        // The bucket refills on Vigil's clock.
        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{chatty}"));
    }

    [Fact]
    public async Task Always_200_hides_not_found_and_rate_limited()
    {
        await using var host = await VigilHost.StartAsync(s => s with { Ping = new PingSettings { RateLimitPerSecond = 1, Always200 = true } });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");

        Assert.Equal((200, "OK (not found)"), await PingTextAsync(host, $"ping/{Guid.NewGuid()}"));
        Assert.Equal((200, "OK (not found)"), await PingTextAsync(host, "ping/vgl_wrong/job"));
        Assert.Equal((200, "OK"), await PingTextAsync(host, $"ping/{uuid}"));
        Assert.Equal((200, "OK (rate limited)"), await PingTextAsync(host, $"ping/{uuid}"));
    }

    [Fact]
    public async Task A_uuid_ping_needs_no_key_but_is_answered_with_the_body_limit_header_on_404_too()
    {
        await using var host = await VigilHost.StartAsync();
        var (status, text, response) = await PingAsync(host, HttpMethod.Get, $"ping/{Guid.NewGuid()}");
        Assert.Equal((404, "not found"), (status, text));
        Assert.True(response.Headers.Contains("Ping-Body-Limit"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        response.Dispose();
    }
}
