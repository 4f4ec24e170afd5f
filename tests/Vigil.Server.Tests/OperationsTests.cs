using System.Text.Json;
using Vigil.Domain.Persistence;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

public sealed class OperationsTests
{
    private static JsonElement Component(JsonElement health, string name) =>
        Assert.Single(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("kind").GetString() == "vigil" && c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Health_names_a_receiver_that_keeps_failing_and_a_store_that_stops_answering_without_a_500()
    {
        FaultyStore? store = null;
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook), options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        var health = await host.GetJsonAsync("api/v1/health");
        Assert.Equal(("ok", "delivering"), (Component(health, "receivers").GetProperty("level").GetString(), Component(health, "receivers").GetProperty("reason").GetString()));
        Assert.Equal("ok", Component(health, "store").GetProperty("level").GetString());

        hook.AnswerWith = 500;
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        using (var fail = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail"))
        {
            Assert.Equal(200, (int)fail.StatusCode);
        }

        await Vigil.Testing.Poll.UntilAsync(() => hook.All.Count >= 1, "a refused delivery");
        await host.DeliveriesIdleAsync();
        var receivers = Component(await host.GetJsonAsync("api/v1/health"), "receivers");
        Assert.Equal("warning", receivers.GetProperty("level").GetString());
        Assert.StartsWith($"{VigilHost.WebhookName} failing since ", receivers.GetProperty("reason").GetString(), StringComparison.Ordinal);

        store!.FailReads = true;
        using var response = await host.AdminAsync(HttpMethod.Get, "api/v1/health");
        Assert.Equal(200, (int)response.StatusCode);
        var broken = await response.JsonAsync();
        Assert.Equal("critical", broken.GetProperty("level").GetString());
        Assert.Contains("does not answer", Component(broken, "store").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_readyz_openapi_and_unknown_routes()
    {
        await using var host = await VigilHost.StartAsync();
        Assert.Equal(200, (await host.SendAsync(HttpMethod.Get, "healthz").TextAsync()).Status);
        var (readyStatus, ready) = await host.SendAsync(HttpMethod.Get, "readyz").TextAsync();
        Assert.Equal((200, "ready"), (readyStatus, ready));

        var (openApiStatus, openApi) = await host.SendAsync(HttpMethod.Get, "openapi/v1.json").TextAsync();
        Assert.Equal(200, openApiStatus);
        var paths = JsonDocument.Parse(openApi).RootElement.GetProperty("paths");
        var names = paths.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/checks/{name}/lease/acquire", names);
        Assert.Contains("/api/v1/checks/{name}/lease/renew", names);
        Assert.Contains("/api/v1/checks/{name}/lease/release", names);
        Assert.Contains("/api/v1/checks/{name}", names);
        Assert.Contains("/api/v1/checks/{name}/runs", names);

        using var unknown = await host.AdminAsync(HttpMethod.Get, "api/v1/nothing-here");
        await unknown.ProblemAsync(404);
        using var unknownRoot = await host.SendAsync(HttpMethod.Get, "no/such/page");
        await unknownRoot.ProblemAsync(404);
    }

    [Fact]
    public async Task Readyz_is_ready_again_once_the_evaluator_has_caught_up_with_a_clock_jump()
    {
        await using var host = await VigilHost.StartAsync();
        host.Time.Advance(TimeSpan.FromSeconds(20));
        // The loop catches up on its own (its heartbeat timer fires on the advanced clock), after which it is ready again.
        await Poll.UntilAsync(async () => (await host.SendAsync(HttpMethod.Get, "readyz").TextAsync()).Status == 200, "readyz is 200 again");
    }

    [Fact]
    public async Task A_data_directory_under_a_regular_file_refuses_to_start_and_names_the_path()
    {
        using var dir = new TempDir();
        var file = dir.Combine("afile");
        await File.WriteAllTextAsync(file, "not a directory");
        var dbPath = Path.Combine(file, "vigil.db");
        var settings = new ServerSettings { DataDirectory = Path.Combine(file, "data"), SqlitePath = dbPath, Urls = "http://127.0.0.1:0" };

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => VigilServer.StartAsync(settings));
        Assert.Contains(dbPath, error.Message, StringComparison.Ordinal);

        // The same with the database in the default place inside the data directory.
        var defaults = new ServerSettings { DataDirectory = Path.Combine(file, "data"), Urls = "http://127.0.0.1:0" };
        var second = await Assert.ThrowsAsync<StoreUnavailableException>(() => VigilServer.StartAsync(defaults));
        Assert.Contains(defaults.EffectiveSqlitePath, second.Message, StringComparison.Ordinal);
    }
}
