using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Every client mistake is a 4xx problem+json that names it; no input produces a 5xx.</summary>
public sealed class BadInputTests
{
    private static async Task<JsonElement> ExpectValidationAsync(VigilHost host, HttpMethod method, string path, string json, string field)
    {
        using var response = await host.AdminAsync(method, path, json);
        var problem = await response.ProblemAsync(400);
        Assert.True(problem.TryGetProperty("errors", out var errors), problem.ToString());
        // A syntax error is reported where the reader stopped, which may be a field name; any field will do then.
        var messages = field == "*" ? errors.EnumerateObject().First().Value : errors.TryGetProperty(field, out var named) ? named : default;
        Assert.True(messages.ValueKind == JsonValueKind.Array, $"errors should name '{field}': {problem}");
        Assert.True(messages.GetArrayLength() > 0 && messages[0].GetString()!.Length > 3, problem.ToString());
        return problem;
    }

    [Theory]
    [InlineData("""{"every":""", "*")]
    [InlineData("""not json at all""", "$")]
    [InlineData("""null""", "$")]
    [InlineData("""[]""", "$")]
    [InlineData("""{"fail_after":"three"}""", "fail_after")]
    [InlineData("""{"fail_after":1.5}""", "fail_after")]
    [InlineData("""{"concurrency":99999999999}""", "concurrency")]
    [InlineData("""{"tags":"db"}""", "tags")]
    [InlineData("""{"tags":[1,2]}""", "tags[0]")]
    [InlineData("""{"paused":"yes"}""", "paused")]
    [InlineData("""{"evry":"1m"}""", "evry")]
    [InlineData("""{"every":"5 minutes"}""", "every")]
    [InlineData("""{"every":"-5m"}""", "every")]
    [InlineData("""{"every":-5}""", "every")]
    [InlineData("""{"every":true}""", "every")]
    [InlineData("""{"every":"99999999999d"}""", "every")]
    [InlineData("""{"every":"99999999d"}""", "every")]
    [InlineData("""{"grace":"36500d"}""", "grace")]
    [InlineData("""{"max_runtime":"9999999999999"}""", "max_runtime")]
    [InlineData("""{"grace":"1x"}""", "grace")]
    [InlineData("""{"every":"1m","cron":"* * * * *"}""", "cron")]
    [InlineData("""{"cron":"61 * * * *"}""", "cron")]
    [InlineData("""{"cron":"0 3 * * *","tz":"Mars/Olympus"}""", "tz")]
    [InlineData("""{"cron":"0 3 * * *","tz":"../../etc/passwd"}""", "tz")]
    [InlineData("""{"severity":"apocalyptic"}""", "severity")]
    [InlineData("""{"kind":"probe"}""", "kind")]
    [InlineData("""{"uuid":"not-a-uuid"}""", "uuid")]
    [InlineData("""{"flapping":{"changes":0}}""", "flapping.changes")]
    [InlineData("""{"fail_after":0}""", "fail_after")]
    public async Task A_bad_check_body_names_the_field(string json, string field)
    {
        await using var host = await VigilHost.StartAsync();
        await ExpectValidationAsync(host, HttpMethod.Put, "api/v1/checks/job", json, field);
        using var missing = await host.AdminAsync(HttpMethod.Get, "api/v1/checks/job");
        await missing.ProblemAsync(404);
    }

    [Fact]
    public async Task Naive_timestamps_bad_names_bad_queries_and_wrong_content_types_are_refused()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h"}""");

        var naive = await ExpectValidationAsync(host, HttpMethod.Post, "api/v1/checks/job/lease/acquire", """{"ttl":"1m","holder":"h","data_ts":"2026-01-01T00:00:00"}""", "data_ts");
        Assert.Contains("offset", naive.GetProperty("errors").GetProperty("data_ts")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        await ExpectValidationAsync(host, HttpMethod.Post, "api/v1/checks/job/lease/acquire", """{"ttl":"1m","holder":"h","data_ts":1e300}""", "data_ts");
        await ExpectValidationAsync(host, HttpMethod.Post, "api/v1/checks/job/lease/acquire", """{"ttl":"1m","holder":"h","rid":"nope"}""", "rid");
        await ExpectValidationAsync(host, HttpMethod.Post, "api/v1/checks/job/lease/acquire", """{"ttl":"8d","holder":"h"}""", "ttl");
        await ExpectValidationAsync(host, HttpMethod.Post, "api/v1/checks/job/lease/release", """{"token":"t","outcome":"success","exit_code":300}""", "exit_code");

        var badName = await ExpectValidationAsync(host, HttpMethod.Put, "api/v1/checks/Bad%20Name!", "{}", "name");
        Assert.Contains("Bad Name!", badName.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        await ExpectValidationAsync(host, HttpMethod.Put, $"api/v1/checks/{new string('a', 64)}", "{}", "name");

        using (var q = await host.AdminAsync(HttpMethod.Get, "api/v1/checks/job/events?since=2026-01-01T00:00:00"))
        {
            Assert.True((await q.ProblemAsync(400)).GetProperty("errors").TryGetProperty("since", out _));
        }

        using (var q = await host.AdminAsync(HttpMethod.Get, "api/v1/checks/job/runs?limit=0"))
        {
            Assert.True((await q.ProblemAsync(400)).GetProperty("errors").TryGetProperty("limit", out _));
        }

        using (var q = await host.AdminAsync(HttpMethod.Get, "api/v1/checks?status=sideways"))
        {
            Assert.True((await q.ProblemAsync(400)).GetProperty("errors").TryGetProperty("status", out _));
        }

        using (var q = await host.AdminAsync(HttpMethod.Get, "api/v1/checks/job/runs/not-a-uuid"))
        {
            Assert.True((await q.ProblemAsync(400)).GetProperty("errors").TryGetProperty("rid", out _));
        }

        using (var request = host.Request(HttpMethod.Put, "api/v1/checks/job", host.AdminKey))
        {
            request.Content = new StringContent("every: 1m", Encoding.UTF8, "text/yaml");
            using var response = await host.Http.SendAsync(request);
            await response.ProblemAsync(415);
        }

        using (var request = host.Request(HttpMethod.Put, "api/v1/checks/job", host.AdminKey))
        {
            request.Content = new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await host.Http.SendAsync(request);
            await response.ProblemAsync(400);
        }

        using (var empty = await host.AdminAsync(HttpMethod.Put, "api/v1/checks/job", ""))
        {
            await empty.ProblemAsync(400);
        }

        var deep = new string('[', 500) + new string(']', 500);
        using (var nested = await host.AdminAsync(HttpMethod.Put, "api/v1/checks/job", $$"""{"tags":{{deep}}}"""))
        {
            await nested.ProblemAsync(400);
        }
    }

    [Fact]
    public async Task A_body_over_the_server_limit_gets_413()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var huge = "{\"description\":\"" + new string('x', 11 << 20) + "\"}";
        using var request = host.Request(HttpMethod.Put, "api/v1/checks/job", host.AdminKey, huge);
        // With Expect: 100-continue the client waits for the verdict instead of writing 11 MB into a closed socket.
        request.Headers.ExpectContinue = true;
        using var response = await host.Http.SendAsync(request);
        await response.ProblemAsync(413);

        using var ready = await host.SendAsync(HttpMethod.Get, "readyz");
        Assert.Equal(200, (int)ready.StatusCode);
    }

    [Fact]
    public async Task Thousands_of_generated_malformed_requests_never_get_a_5xx()
    {
        await using var host = await VigilHost.StartAsync(s => s with { Ping = new PingSettings { RateLimitPerSecond = 0 } });
        await host.PutCheckAsync("job", """{"every":"1h","concurrency":1000}""");
        var uuid = await host.UuidOfAsync("job");
        var random = new Random(20260302);
        var names = new[] { "job", "Job", "missing", "a..b", "-x", "%00", "..", "%2e%2e", "x%2fy", new string('z', 70), "ünïcode", "job%20", "%F0%9F%92%A5", "%ff" };
        var routes = new[]
        {
            "api/v1/checks", "api/v1/checks/{n}", "api/v1/checks/{n}/runs", "api/v1/checks/{n}/runs/{r}", "api/v1/checks/{n}/runs/{r}/log",
            "api/v1/checks/{n}/events", "api/v1/checks/{n}/pause", "api/v1/checks/{n}/resume", "api/v1/checks/{n}/lease/acquire",
            "api/v1/checks/{n}/lease/renew", "api/v1/checks/{n}/lease/release", "api/v1/keys", "api/v1/keys/{n}", "api/v1/health",
            "api/v1/{n}", "ping/{u}", "ping/{u}/{s}", "ping/{k}/{n}", "ping/{k}/{n}/{s}", "ping/{u}/{s}/{s}/{s}", "ping/{n}", "{n}/{n}",
        };
        var suffixes = new[] { "start", "fail", "log", "0", "1", "255", "256", "-1", "999999999999", "1e3", "", "START", "%00" };
        var queryKeys = new[] { "rid", "data_ts", "late_at", "create", "limit", "since", "status", "level", "tag" };
        var queryValues = new[]
        {
            "", "1", "-1", "0", "99999999999999999999", "1e400", "NaN", "2026-01-01T00:00:00", "2026-13-45T99:99:99Z", "not-a-uuid",
            Guid.NewGuid().ToString(), "%00", "%ff%fe", "2026-03-02T09:00:00Z", "up", "critical", "1.5", "{}",
        };
        var fieldValues = new[]
        {
            "null", "true", "1", "-1", "0", "1e308", "-1e308", "99999999999999999999999", "1.5", "\"\"", "\"x\"", "\"5m\"", "\"-5m\"",
            "\"99999999999d\"", "\"99999999d\"", "\"9999999999999\"", "\"2026-01-01T00:00:00\"", "\"2026-01-01T00:00:00Z\"", "\"\\u0000\"", "[]", "{}", "[1,\"a\",null]",
            "\"" + new string('x', 5000) + "\"", "\"0 3 * * *\"", "\"../../etc\"",
        };
        var fields = new[]
        {
            "every", "grace", "cron", "tz", "max_runtime", "min_interval", "max_data_age", "fail_after", "recover_after", "severity", "tags",
            "uuid", "kind", "paused", "concurrency", "flapping", "keywords", "depends_on", "ttl", "holder", "rid", "data_ts", "token", "outcome",
            "exit_code", "message", "log", "name", "scope", "unknown_field",
        };
        var methods = new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Head, HttpMethod.Patch };

        T Pick<T>(T[] from) => from[random.Next(from.Length)];

        string Body()
        {
            switch (random.Next(5))
            {
                case 0:
                    var bytes = new byte[random.Next(0, 200)];
                    random.NextBytes(bytes);
                    return Encoding.Latin1.GetString(bytes);
                case 1:
                    return "{" + string.Join(",", Enumerable.Range(0, random.Next(1, 5)).Select(_ => $"\"{Pick(fields)}\":{Pick(fieldValues)}")) + "}";
                case 2:
                    var valid = "{\"every\":\"1m\",\"grace\":\"30s\",\"ttl\":\"1m\",\"holder\":\"h\",\"token\":\"t\",\"outcome\":\"success\"}";
                    return valid[..random.Next(valid.Length)];
                case 3:
                    return Pick(fieldValues);
                default:
                    return new string('[', random.Next(1, 300));
            }
        }

        var keys = new[] { host.AdminKey, host.AdminKey, host.AdminKey, "vgl_bogus", "" };
        var serverErrors = new List<string>();
        for (var i = 0; i < 2500; i++)
        {
            var route = Pick(routes)
                .Replace("{n}", Pick(names), StringComparison.Ordinal)
                .Replace("{u}", random.Next(3) == 0 ? Guid.NewGuid().ToString() : uuid.ToString(), StringComparison.Ordinal)
                .Replace("{k}", random.Next(2) == 0 ? host.AdminKey : "vgl_bogus", StringComparison.Ordinal)
                .Replace("{r}", random.Next(2) == 0 ? Guid.NewGuid().ToString() : Pick(names), StringComparison.Ordinal);
            while (route.Contains("{s}", StringComparison.Ordinal))
            {
                var at = route.IndexOf("{s}", StringComparison.Ordinal);
                route = route[..at] + Pick(suffixes) + route[(at + 3)..];
            }

            if (random.Next(2) == 0)
            {
                route += "?" + string.Join("&", Enumerable.Range(0, random.Next(1, 4)).Select(_ => $"{Pick(queryKeys)}={Pick(queryValues)}"));
            }

            var method = Pick(methods);
            using var request = new HttpRequestMessage(method, new Uri(host.Http.BaseAddress!, route));
            if (Pick(keys) is { Length: > 0 } key)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            }

            if (method != HttpMethod.Get && method != HttpMethod.Head && random.Next(4) != 0)
            {
                request.Content = new StringContent(Body(), Encoding.UTF8);
                request.Content.Headers.ContentType = random.Next(6) == 0 ? new MediaTypeHeaderValue("text/plain") : new MediaTypeHeaderValue("application/json");
            }

            using var response = await host.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                serverErrors.Add($"{method} {route} -> {status}: {await response.Content.ReadAsStringAsync()}");
            }
            else if (status >= 400 && route.StartsWith("api/", StringComparison.Ordinal) && method != HttpMethod.Head
                     && !route.Contains("%00", StringComparison.Ordinal))
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                    $"{method} {route} -> {status} with {response.Content.Headers.ContentType}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(serverErrors.Count == 0, $"{serverErrors.Count} requests got a 5xx:\n" + string.Join("\n", serverErrors.Take(20)));
        using var ready = await host.SendAsync(HttpMethod.Get, "readyz");
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.DoesNotContain("Unhandled error", host.Logs.All, StringComparison.Ordinal);
    }
}
