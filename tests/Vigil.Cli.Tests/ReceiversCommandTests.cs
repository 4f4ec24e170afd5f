using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Server;
using Vigil.Testing;

namespace Vigil.Cli.Tests;

/// <summary>`vigil receivers test NAME` against a real server whose receivers are a working webhook, one that answers
/// 500 and one nobody listens on.</summary>
public sealed class ReceiversCommandTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private WebApplication? _hooks;
    private VigilServer? _server;
    private string _url = "";
    private string _key = "";
    private int _received;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _hooks = builder.Build();
        _hooks.MapPost("/ok", () => { Interlocked.Increment(ref _received); return Results.Ok(); });
        _hooks.MapPost("/broken", () => Results.StatusCode(500));
        await _hooks.StartAsync();
        var hooks = _hooks.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

        // A port that was free a moment ago: nothing listens on it, so the connection is refused.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var settings = new ServerSettings
        {
            DataDirectory = _dir.Combine("data"),
            Urls = "http://127.0.0.1:0",
            Receivers =
            [
                new ReceiverSettings("ok", "webhook", Url: hooks + "/ok"),
                new ReceiverSettings("broken", "webhook", Url: hooks + "/broken?token=sekrit"),
                new ReceiverSettings("gone", "webhook", Url: $"http://127.0.0.1:{closed}/hook"),
            ],
        };
        _server = await VigilServer.StartAsync(settings, new VigilServerOptions { ConfigureLogging = l => l.ClearProviders() });
        _url = _server.Addresses.First().TrimEnd('/');
        _key = (await File.ReadAllTextAsync(Path.Combine(settings.DataDirectory, "admin.key"))).Trim();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_hooks is not null) await _hooks.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(int Exit, string Stdout, string Stderr)> VigilAsync(string url, params string[] args)
    {
        await using var process = ChildProcess.StartVigil(args, new Dictionary<string, string?> { ["VIGIL_URL"] = url, ["VIGIL_API_KEY"] = _key, ["VIGIL_SPOOL"] = _dir.Combine("spool") }, _dir.Path);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (exit, process.Stdout, process.Stderr);
    }

    [Fact]
    public async Task A_working_receiver_exits_0_and_the_test_arrives()
    {
        var (exit, stdout, stderr) = await VigilAsync(_url, "receivers", "test", "ok");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("delivered a test notification through 'ok'", stdout, StringComparison.Ordinal);
        Assert.Equal(1, Volatile.Read(ref _received));

        var (jsonExit, json, _) = await VigilAsync(_url, "--json", "receivers", "test", "ok");
        Assert.Equal(0, jsonExit);
        Assert.True(JsonDocument.Parse(json).RootElement.GetProperty("delivered").GetBoolean());
    }

    [Fact]
    public async Task A_failing_receiver_exits_1_with_its_error_sentence()
    {
        var (exit, stdout, stderr) = await VigilAsync(_url, "receivers", "test", "broken");
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains("webhook receiver 'broken'", stderr, StringComparison.Ordinal);
        Assert.Contains("500", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sekrit", stdout + stderr, StringComparison.Ordinal);

        var (refused, _, refusedErr) = await VigilAsync(_url, "receivers", "test", "gone");
        Assert.True(refused == 1, refusedErr);
        Assert.Contains("connection refused", refusedErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_receiver_exits_1_a_missing_name_2_and_no_server_3()
    {
        var (unknown, _, unknownErr) = await VigilAsync(_url, "receivers", "test", "nope");
        Assert.True(unknown == 1, unknownErr);
        Assert.Contains("'nope'", unknownErr, StringComparison.Ordinal);

        var (usage, _, usageErr) = await VigilAsync(_url, "receivers", "test");
        Assert.True(usage == 2, usageErr);

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var (unreachable, _, unreachableErr) = await VigilAsync($"http://127.0.0.1:{closed}", "receivers", "test", "ok");
        Assert.True(unreachable == 3, unreachableErr);
    }
}
