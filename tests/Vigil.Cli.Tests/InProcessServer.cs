using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vigil.Client;
using Vigil.Domain.Checks;
using Vigil.Server;
using Vigil.Testing;

namespace Vigil.Cli.Tests;

/// <summary>A real Vigil server in this process on a free loopback port, with a few checks declared as if by
/// a config file; the CLI under test runs as a child process against it.</summary>
public abstract class InProcessServer : IAsyncLifetime
{
    public static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDir _dir = new();
    private VigilServer? _server;

    protected string Url { get; private set; } = "";

    protected string Key { get; private set; } = "";

    protected VigilClient Client { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    private protected TempDir Dir => _dir;

    public async Task InitializeAsync()
    {
        var settings = new ServerSettings
        {
            DataDirectory = _dir.Combine("data"),
            Urls = "http://127.0.0.1:0",
            ChecksFromConfig = true,
            Checks =
            [
                new CheckDefinition { Name = "job", Uuid = Guid.NewGuid(), Every = TimeSpan.FromHours(1), Grace = TimeSpan.FromHours(1), MaxRuntime = TimeSpan.FromMinutes(10) },
                new CheckDefinition { Name = "other", Uuid = Guid.NewGuid(), Every = TimeSpan.FromHours(1), Grace = TimeSpan.FromHours(1) },
            ],
        };
        _server = await VigilServer.StartAsync(Configure(settings), new VigilServerOptions { ConfigureLogging = l => l.ClearProviders() });
        Url = _server.Addresses.First().TrimEnd('/');
        Key = (await File.ReadAllTextAsync(Path.Combine(settings.DataDirectory, "admin.key"))).Trim();
        Client = new VigilClient(new Uri(Url), Key);
        Http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    /// <summary>A suite's own additions to the server's settings (other checks, modes, breakers, gates).</summary>
    protected virtual ServerSettings Configure(ServerSettings settings) => settings;

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
    }

    /// <summary>Environment that points the CLI at this server with the admin key.</summary>
    protected Dictionary<string, string?> Env(string? spool = null) => new()
    {
        ["VIGIL_URL"] = Url,
        ["VIGIL_API_KEY"] = Key,
        ["VIGIL_SPOOL"] = spool ?? _dir.Combine("spool"),
    };

    /// <summary>Runs <c>vigil ARGS</c> to completion (bounded); returns the finished process.</summary>
    private protected async Task<(int Exit, ChildProcess Process)> VigilAsync(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        var process = ChildProcess.StartVigil(args, env, _dir.Path);
        try
        {
            return (await process.WaitForExitAsync(CliTimeout), process);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    protected async Task<JsonElement> LastRunAsync(string check)
    {
        var runs = await Client.GetRunsAsync(check, 1);
        var list = runs.GetProperty("runs");
        Assert.True(list.GetArrayLength() > 0, $"'{check}' has no run");
        return list[0];
    }

    protected async Task<string> RunLogAsync(string check, string rid) =>
        await Http.GetStringAsync(new Uri($"/api/v1/checks/{check}/runs/{rid}/log", UriKind.Relative));

    protected async Task<JsonElement> EventsAsync(string check)
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"/api/v1/checks/{check}/events?limit=1000", UriKind.Relative)));
        return doc.RootElement.GetProperty("events").Clone();
    }
}
