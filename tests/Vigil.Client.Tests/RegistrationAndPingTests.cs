using Microsoft.Extensions.Options;

namespace Vigil.Client.Tests;

/// <summary><c>AddVigilClient</c> and the ping helpers against a real server.</summary>
public sealed class RegistrationAndPingTests
{
    [Fact]
    public async Task AddVigilClient_resolves_a_client_that_pings_and_leases()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.PutCheckAsync("publisher", """{"every":"1h","grace":"1h","max_data_age":"5m"}""");
        var log = new LogRecorder();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(log));
        services.AddVigilClient(o =>
        {
            o.Url = server.Url;
            o.ApiKey = "file:" + server.KeyFile;
            o.Timeout = TimeSpan.FromSeconds(5);
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var client = provider.GetRequiredService<VigilClient>();
        Assert.Equal(server.Url, client.Server);
        var dataTs = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(1));
        var rid = Guid.NewGuid();
        Assert.True(await client.StartAsync("publisher", rid));
        Assert.True(await client.SuccessAsync("publisher", rid, dataTs, body: "published 40 prices"));

        var check = (await server.GetAsync("api/v1/checks/publisher")).GetProperty("check");
        Assert.Equal("2026-03-02T09:00:00Z", check.GetProperty("data_ts").GetString());
        var run = await server.LastRunAsync("publisher");
        Assert.Equal(rid, run.GetProperty("rid").GetGuid());
        Assert.Equal("success", run.GetProperty("outcome").GetString());

        Assert.True(await client.FailAsync("publisher", exitCode: 3, body: "feed answered 429"));
        run = await server.LastRunAsync("publisher");
        Assert.Equal(("fail", 3), (run.GetProperty("outcome").GetString(), run.GetProperty("exit_code").GetInt32()));

        await using (var lease = await client.AcquireLeaseAsync("publisher", TimeSpan.FromMinutes(1)))
        {
            Assert.True(lease.IsMonitored);
            Assert.True(await lease.ReleaseAsync(LeaseOutcome.Success));
        }

        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_ping_for_an_unknown_check_is_a_warning_when_failing_open_and_an_exception_otherwise()
    {
        await using var server = await ServerFixture.StartAsync();
        var log = new LogRecorder();
        using var open = new VigilClient(server.Options(failOpen: true), log, null);
        using var closed = new VigilClient(server.Options(failOpen: false), log, null);

        Assert.False(await open.SuccessAsync("no-such-check"));
        var warning = Assert.Single(log.Entries);
        Assert.Equal((LogLevel.Warning, 100), (warning.Level, warning.EventId));
        Assert.DoesNotContain(server.AdminKey, warning.Message, StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<VigilApiException>(() => closed.SuccessAsync("no-such-check"));
        Assert.Equal(404, refused.Status);
    }

    [Fact]
    public void Options_fall_back_to_the_environment_and_read_a_key_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("key"), "secret-key\n");
        var env = new Dictionary<string, string?>
        {
            ["VIGIL_URL"] = "http://vigil.internal:9000/prefix",
            ["VIGIL_API_KEY"] = "file:" + dir.Combine("key"),
        };
        var log = new LogRecorder();

        var (url, key) = new VigilClientOptions().Resolve(n => env.GetValueOrDefault(n), log);
        Assert.Equal(new Uri("http://vigil.internal:9000/prefix/"), url);
        Assert.Equal("secret-key", key);

        var (given, givenKey) = new VigilClientOptions { Url = new Uri("https://v.example"), ApiKey = "k" }.Resolve(n => env.GetValueOrDefault(n), log);
        Assert.Equal((new Uri("https://v.example/"), "k"), (given, givenKey));

        var (fallback, none) = new VigilClientOptions { ApiKey = "file:" + dir.Combine("missing") }.Resolve(_ => null, log);
        Assert.Equal(VigilClient.DefaultServer, fallback);
        Assert.Null(none);
        Assert.True(log.Has(106), "an unreadable key file is a warning, not a crash");
    }

    [Fact]
    public void AddVigilClient_refuses_a_non_positive_timeout_when_resolved()
    {
        var services = new ServiceCollection();
        services.AddVigilClient(o => o.Timeout = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<VigilClient>());
        Assert.Contains("Timeout", error.Message, StringComparison.Ordinal);
    }
}
