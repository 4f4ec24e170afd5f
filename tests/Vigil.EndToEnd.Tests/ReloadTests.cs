using System.Net;
using System.Net.Http.Headers;
using Vigil.Testing;

namespace Vigil.EndToEnd.Tests;

/// <summary>cli.md: SIGHUP reloads the config; config.md: an invalid reload keeps the running configuration.</summary>
public sealed class ReloadTests : IAsyncLifetime
{
    private FakeWebhook _hook = null!;
    private VigilServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _hook = await FakeWebhook.StartAsync();
        _server = new VigilServerProcess("""
            first:
              every: 1h
            """, _hook.Url);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _hook.DisposeAsync();
    }

    private async Task<HttpStatusCode> CheckStatusAsync(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/checks/{name}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        using var response = await _server.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Sighup_applies_a_valid_config_and_keeps_the_running_one_when_the_new_file_is_invalid()
    {
        var original = await File.ReadAllTextAsync(_server.ConfigPath);
        await File.WriteAllTextAsync(_server.ConfigPath, original.Replace("  first:\n    every: 1h", "  second:\n    every: 2h", StringComparison.Ordinal));
        await _server.Process!.SignalAsync("HUP");

        await Poll.UntilAsync(async () => await CheckStatusAsync("second") == HttpStatusCode.OK, TimeSpan.FromSeconds(15),
            "the check declared by the reloaded file");
        Assert.Equal(HttpStatusCode.NotFound, await CheckStatusAsync("first"));

        await File.WriteAllTextAsync(_server.ConfigPath, original.Replace("every: 1h", "every: soon", StringComparison.Ordinal));
        await _server.Process.SignalAsync("HUP");
        await Poll.UntilAsync(() => _server.Process.Stderr.Contains("still running the previous one", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the refusal of the invalid file");

        Assert.Contains("every: 'soon' is not a duration", _server.Process.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await CheckStatusAsync("second"));
        Assert.False(_server.Process.HasExited, _server.Process.Output);
    }

    [Fact]
    public async Task Changing_the_file_reloads_it_without_a_signal()
    {
        var original = await File.ReadAllTextAsync(_server.ConfigPath);
        await File.WriteAllTextAsync(_server.ConfigPath, original.Replace("  first:\n    every: 1h", "  first:\n    every: 1h\n  third:\n    every: 3h", StringComparison.Ordinal));

        await Poll.UntilAsync(async () => await CheckStatusAsync("third") == HttpStatusCode.OK, TimeSpan.FromSeconds(15),
            "the check added to the file");
        Assert.Equal(HttpStatusCode.OK, await CheckStatusAsync("first"));
        Assert.Contains("the file changed: reloaded", _server.Process!.Stderr, StringComparison.Ordinal);
    }
}
