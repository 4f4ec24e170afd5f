using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Receivers;
using Vigil.Server.Delivery;
using Vigil.Storage.Sqlite;
using Vigil.Server.Engine;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>
/// One real Vigil server for one test: Kestrel on 127.0.0.1:0, SQLite in its own temp directory, a fake clock,
/// a log capture and the admin key read from <c>admin.key</c>. Restartable on the same data directory.
/// </summary>
internal sealed class VigilHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public const string WebhookName = "hook";
    public const string WebhookSecret = "s3cret-for-hmac";

    private readonly TempDir _dir;
    private readonly bool _ownsDir;

    private readonly Func<VigilServerOptions, VigilServerOptions>? _options;

    private VigilHost(TempDir dir, bool ownsDir, ServerSettings settings, FakeTimeProvider time, Func<VigilServerOptions, VigilServerOptions>? options = null)
    {
        _options = options;
        _dir = dir;
        _ownsDir = ownsDir;
        Settings = settings;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public ServerSettings Settings { get; private set; }

    public LogCapture Logs { get; } = new();

    public VigilServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string AdminKey { get; private set; } = "";

    public string DataDirectory => _dir.Path;

    /// <summary>Settings pointing a signed webhook receiver and a catch-all route at <paramref name="hook"/>.</summary>
    public static Func<ServerSettings, ServerSettings> WithWebhook(FakeWebhook hook) => s => s with
    {
        Receivers = [new ReceiverSettings(WebhookName, "webhook", Url: hook.Url, Secret: WebhookSecret)],
        Routes = [new Route { Receivers = [WebhookName] }],
    };

    public static async Task<VigilHost> StartAsync(Func<ServerSettings, ServerSettings>? configure = null, TempDir? dir = null,
        Func<VigilServerOptions, VigilServerOptions>? options = null, Func<IReceiver, IReceiver>? wrapReceiver = null)
    {
        var ownsDir = dir is null;
        dir ??= new TempDir();
        var settings = new ServerSettings { DataDirectory = dir.Path, Urls = "http://127.0.0.1:0", ShutdownTimeout = TimeSpan.FromSeconds(5) };
        settings = configure?.Invoke(settings) ?? settings;
        var host = new VigilHost(dir, ownsDir, settings, new FakeTimeProvider(Epoch),
            wrapReceiver is null ? options : o => (options?.Invoke(o) ?? o) with { WrapReceiver = wrapReceiver });
        try
        {
            await host.StartServerAsync();
        }
        catch
        {
            if (ownsDir)
            {
                dir.Dispose();
            }

            throw;
        }

        return host;
    }

    private async Task StartServerAsync()
    {
        var options = new VigilServerOptions
        {
            Time = Time,
            Random = new Random(42),
            ConfigureLogging = logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(Logs);
            },
        };
        Server = await VigilServer.StartAsync(Settings, _options?.Invoke(options) ?? options);
        Http = new HttpClient { BaseAddress = new Uri(Server.Addresses[0].TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        AdminKey = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin.key"))).Trim();
    }

    /// <summary>Stops the server (as on SIGTERM) and starts a new one on the same data directory and clock, with its
    /// settings changed by <paramref name="change"/> when given (a new config, an environment variable set).</summary>
    public async Task RestartAsync(Func<ServerSettings, ServerSettings>? change = null)
    {
        await StopServerAsync();
        Settings = change?.Invoke(Settings) ?? Settings;
        await StartServerAsync();
    }

    private async Task StopServerAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        finally
        {
            if (_ownsDir)
            {
                _dir.Dispose();
            }
        }
    }

    internal EvaluatorLoop Loop => Server.Services.GetRequiredService<EvaluatorLoop>();

    internal ReadModel ReadModel => Server.Services.GetRequiredService<ReadModel>();

    internal ProbeScheduler Probes => Server.Services.GetRequiredService<ProbeScheduler>();

    internal OutboxDispatcher Dispatcher => Server.Services.GetRequiredService<OutboxDispatcher>();

    internal SqliteStore Store => (SqliteStore)Server.Services.GetRequiredService<IVigilStore>();

    /// <summary>Waits until every delivery lane has looked at the outbox after this call and found nothing it could
    /// deliver now, with nothing in flight: what a "nothing (more) was delivered" assertion must wait for.</summary>
    public async Task DeliveriesIdleAsync()
    {
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        await Dispatcher.WaitIdleAsync(timeout.Token);
    }

    /// <summary>
    /// Moves the fake clock forward in steps shorter than the blind-span threshold, waiting after each step until
    /// the evaluator has looked at the new time (a single big jump would rightly count as Vigil not watching).
    /// </summary>
    public async Task AdvanceAsync(TimeSpan total, TimeSpan? step = null)
    {
        var size = step ?? TimeSpan.FromSeconds(5);
        while (total > TimeSpan.Zero)
        {
            var d = total < size ? total : size;
            Time.Advance(d);
            total -= d;
            var target = Time.GetUtcNow();
            try
            {
                await Poll.UntilAsync(() => Loop.LastWatched >= target, $"the evaluator looked at {target:O}");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException(
                    $"{ex.Message}; it last looked at {Loop.LastWatched:O}, running {Loop.Running}, fault {Loop.Fault ?? "none"}, {Loop.QueueLength} queued", ex);
            }
        }
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key = null, string? json = null)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key = null, string? json = null)
    {
        using var request = Request(method, path, key, json);
        return await Http.SendAsync(request);
    }

    /// <summary>Sends with the admin key.</summary>
    public Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null) => SendAsync(method, path, AdminKey, json);

    public async Task<JsonElement> GetJsonAsync(string path, string? key = null)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key ?? AdminKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> PutCheckAsync(string name, string json = "{}")
    {
        using var response = await AdminAsync(HttpMethod.Put, $"api/v1/checks/{name}", json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT check {name} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<string> CreateKeyAsync(string name, string scope)
    {
        using var response = await AdminAsync(HttpMethod.Post, "api/v1/keys", $$"""{"name":"{{name}}","scope":"{{scope}}"}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, $"creating key {name} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("key").GetString()!;
    }

    public async Task<string> StatusOfAsync(string check) =>
        (await GetJsonAsync($"api/v1/checks/{check}")).GetProperty("check").GetProperty("status").GetString()!;

    public async Task<Guid> UuidOfAsync(string check) =>
        (await GetJsonAsync($"api/v1/checks/{check}")).GetProperty("check").GetProperty("uuid").GetGuid();

    public async Task<JsonElement[]> RunsAsync(string check) =>
        [.. (await GetJsonAsync($"api/v1/checks/{check}/runs")).GetProperty("runs").EnumerateArray()];

    /// <summary>True once the outbox has nothing left to deliver (read through the health API).</summary>
    public async Task<bool> OutboxEmptyAsync()
    {
        var health = await GetJsonAsync("api/v1/health");
        return health.GetProperty("components").EnumerateArray()
            .Any(c => c.GetProperty("name").GetString() == "outbox" && c.GetProperty("reason").GetString() == "nothing pending");
    }
}

internal static class ResponseExtensions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts an RFC 9457 problem with the given status, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("title").GetString()), text);
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()), text);
        Assert.True(json.TryGetProperty("type", out _), text);
        return json;
    }

    public static async Task<(int Status, string Text)> TextAsync(this Task<HttpResponseMessage> send)
    {
        using var response = await send;
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
