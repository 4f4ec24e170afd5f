using System.Net.Http.Headers;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Who may do what: the scope matrix over real HTTP, revocation, and no key in any log line.</summary>
public sealed class AuthTests
{
    private const string Acquire = """{"ttl":"5m","holder":"h:1"}""";

    [Fact]
    public async Task Scopes_allow_exactly_what_the_spec_says()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h","concurrency":10}""");
        var ping = await host.CreateKeyAsync("k-ping", "ping");
        var read = await host.CreateKeyAsync("k-read", "read");
        var write = await host.CreateKeyAsync("k-write", "write");

        async Task Expect(int status, HttpMethod method, string path, string? key, string? json = null)
        {
            using var response = await host.SendAsync(method, path, key, json);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"{method} {path} with {(key is null ? "no key" : "a key")} answered {(int)response.StatusCode}, expected {status}: {text}");
            if (status >= 400)
            {
                await response.ProblemAsync(status);
            }
        }

        // No key, an unknown key.
        await Expect(401, HttpMethod.Get, "api/v1/checks", null);
        await Expect(401, HttpMethod.Put, "api/v1/checks/new-one", null, "{}");
        await Expect(401, HttpMethod.Post, "api/v1/checks/job/lease/acquire", null, Acquire);
        await Expect(401, HttpMethod.Get, "api/v1/keys", null);
        await Expect(401, HttpMethod.Get, "api/v1/checks", "vgl_not-a-key");

        // ping: leases yes, reading and writing checks no.
        await Expect(403, HttpMethod.Get, "api/v1/checks", ping);
        await Expect(403, HttpMethod.Get, "api/v1/checks/job", ping);
        await Expect(403, HttpMethod.Get, "api/v1/health", ping);
        await Expect(403, HttpMethod.Put, "api/v1/checks/new-one", ping, "{}");
        await Expect(201, HttpMethod.Post, "api/v1/checks/job/lease/acquire", ping, Acquire);

        // read: reads and leases, no writes.
        await Expect(200, HttpMethod.Get, "api/v1/checks", read);
        await Expect(200, HttpMethod.Get, "api/v1/checks/job/runs", read);
        await Expect(201, HttpMethod.Post, "api/v1/checks/job/lease/acquire", read, Acquire);
        await Expect(403, HttpMethod.Put, "api/v1/checks/new-one", read, "{}");
        await Expect(403, HttpMethod.Delete, "api/v1/checks/job", read);
        await Expect(403, HttpMethod.Post, "api/v1/checks/job/pause", read);

        // write: checks yes, keys no.
        await Expect(201, HttpMethod.Put, "api/v1/checks/new-one", write, "{}");
        await Expect(200, HttpMethod.Post, "api/v1/checks/new-one/pause", write);
        await Expect(204, HttpMethod.Delete, "api/v1/checks/new-one", write);
        await Expect(403, HttpMethod.Get, "api/v1/keys", write);
        await Expect(403, HttpMethod.Post, "api/v1/keys", write, """{"name":"sneaky","scope":"admin"}""");
        await Expect(403, HttpMethod.Delete, "api/v1/keys/k-ping", write);

        // admin: keys.
        await Expect(201, HttpMethod.Post, "api/v1/keys", host.AdminKey, """{"name":"another","scope":"read"}""");
        await Expect(409, HttpMethod.Post, "api/v1/keys", host.AdminKey, """{"name":"another","scope":"read"}""");
        await Expect(400, HttpMethod.Post, "api/v1/keys", host.AdminKey, """{"name":"bad","scope":"root"}""");

        // A revoked key is unknown at once.
        await Expect(204, HttpMethod.Delete, "api/v1/keys/k-read", host.AdminKey);
        await Expect(401, HttpMethod.Get, "api/v1/checks", read);
        await Expect(404, HttpMethod.Delete, "api/v1/keys/k-read", host.AdminKey);

        // X-Api-Key works as well as Bearer.
        using var request = host.Request(HttpMethod.Get, "api/v1/checks");
        request.Headers.Add("X-Api-Key", write);
        using var viaHeader = await host.Http.SendAsync(request);
        Assert.Equal(200, (int)viaHeader.StatusCode);
    }

    [Fact]
    public async Task No_key_appears_in_the_logs_or_in_api_answers()
    {
        await using var host = await VigilHost.StartAsync();
        var secrets = new List<string> { host.AdminKey };
        secrets.Add(await host.CreateKeyAsync("k-ping", "ping"));
        secrets.Add(await host.CreateKeyAsync("k-write", "write"));
        await host.PutCheckAsync("job", """{"every":"1h"}""");

        var answers = new List<string>();
        foreach (var key in secrets)
        {
            answers.Add((await host.SendAsync(HttpMethod.Get, $"ping/{key}/job").TextAsync()).Text);
            answers.Add((await host.SendAsync(HttpMethod.Get, $"ping/{key}/missing-check/fail").TextAsync()).Text);
            answers.Add((await host.SendAsync(HttpMethod.Get, $"ping/{key}/job/a/b/c").TextAsync()).Text);
            answers.Add((await host.SendAsync(HttpMethod.Get, "api/v1/checks", key).TextAsync()).Text);
            answers.Add((await host.SendAsync(HttpMethod.Put, "api/v1/checks/Bad Name", key, "{}").TextAsync()).Text);
            answers.Add((await host.SendAsync(HttpMethod.Get, "api/v1/keys", key).TextAsync()).Text);
        }

        using (var request = host.Request(HttpMethod.Get, "api/v1/checks"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey + "x");
            using var wrong = await host.Http.SendAsync(request);
            answers.Add(await wrong.Content.ReadAsStringAsync());
        }

        answers.Add((await host.SendAsync(HttpMethod.Get, "api/v1/keys", host.AdminKey).TextAsync()).Text);
        await host.RestartAsync();

        var logs = host.Logs.All;
        Assert.Contains("admin.key", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.All(answers, a => Assert.DoesNotContain(secret, a, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_admin_key_file_is_private()
    {
        await using var host = await VigilHost.StartAsync();
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(Path.Combine(host.DataDirectory, "admin.key"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }

        Assert.StartsWith("vgl_", host.AdminKey, StringComparison.Ordinal);
    }
}

public sealed class LoggablePathTests
{
    [Theory]
    [InlineData("/ping/vgl_secret/job/fail", "/ping/<key>/job/fail")]
    [InlineData("/ping/6f1c9a0e-2b7d-4c1e-9a55-0d3c2b1a4e77/fail", "/ping/6f1c9a0e-2b7d-4c1e-9a55-0d3c2b1a4e77/fail")]
    [InlineData("/api/v1/checks/job", "/api/v1/checks/job")]
    public void A_ping_key_in_a_path_is_not_logged(string path, string logged) =>
        Assert.Equal(logged, VigilServer.LoggablePath(new Microsoft.AspNetCore.Http.PathString(path)));
}
