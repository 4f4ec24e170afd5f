using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server;

namespace Vigil.Client.Tests;

/// <summary>
/// One real Vigil server for one test: Kestrel on 127.0.0.1:0, SQLite in a temp directory, the admin key from
/// <c>admin.key</c>, and a fake clock that the tests share with the client under test when the logic of timing
/// is what they test.
/// </summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDir _dir = new();
    private VigilServer _server = null!;

    private ServerFixture()
    {
    }

    public FakeTimeProvider Time { get; } = new(Epoch);

    public Uri Url { get; private set; } = null!;

    public string AdminKey { get; private set; } = "";

    public string KeyFile => _dir.Combine("admin.key");

    public HttpClient Http { get; private set; } = null!;

    public static async Task<ServerFixture> StartAsync()
    {
        var fixture = new ServerFixture();
        try
        {
            var settings = new ServerSettings { DataDirectory = fixture._dir.Path, Urls = "http://127.0.0.1:0", ShutdownTimeout = TimeSpan.FromSeconds(5) };
            fixture._server = await VigilServer.StartAsync(settings, new VigilServerOptions
            {
                Time = fixture.Time,
                ConfigureLogging = l => l.ClearProviders(),
            });
            fixture.Url = new Uri(fixture._server.Addresses[0].TrimEnd('/') + "/");
            fixture.AdminKey = (await File.ReadAllTextAsync(fixture.KeyFile)).Trim();
            fixture.Http = new HttpClient { BaseAddress = fixture.Url, Timeout = TimeSpan.FromSeconds(30) };
            fixture.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminKey);
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }

        return fixture;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
    }

    /// <summary>Options pointing a client at this server with the admin key.</summary>
    public VigilClientOptions Options(bool failOpen = true) => new() { Url = Url, ApiKey = AdminKey, FailOpen = failOpen };

    /// <summary>Moves the shared clock in steps the evaluator sees as time passing, not as a blind span.</summary>
    public void Advance(TimeSpan by) => Time.Advance(by);

    public async Task PutCheckAsync(string name, string json = """{"every":"1h","grace":"1h"}""")
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync(new Uri($"api/v1/checks/{name}", UriKind.Relative), content);
        Assert.True(response.IsSuccessStatusCode, $"PUT check {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task DeleteCheckAsync(string name)
    {
        using var response = await Http.DeleteAsync(new Uri($"api/v1/checks/{name}", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"DELETE check {name}: {(int)response.StatusCode}");
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public async Task<JsonElement> LastRunAsync(string check)
    {
        var runs = (await GetAsync($"api/v1/checks/{check}/runs?limit=1")).GetProperty("runs");
        Assert.True(runs.GetArrayLength() > 0, $"'{check}' has no run");
        return runs[0];
    }
}
