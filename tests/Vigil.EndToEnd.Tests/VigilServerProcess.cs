using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigil.Testing;

namespace Vigil.EndToEnd.Tests;

/// <summary>
/// <c>vigil serve</c> as a child process on a free loopback port, with a small config written to a temp dir
/// (short graces, a webhook receiver pointing at <see cref="FakeWebhook"/> and a catch-all route). It can be
/// killed (SIGKILL), stopped (SIGTERM) and started again on the same data directory.
/// </summary>
internal sealed class VigilServerProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDir _dir = new();
    private readonly HttpClient _http;

    // routeYaml: keys of the one route besides its receiver. By default it does not group (one message per alert, at
    // once), which is what the tests of other things read; grouping tests give their own.
    public VigilServerProcess(string checksYaml, string webhookUrl, string startupGrace = "3s", string? extraYaml = null,
        string routeYaml = "group_interval: 0s")
    {
        Port = Ports.Free();
        BaseUrl = $"http://127.0.0.1:{Port}";
        ConfigPath = _dir.Combine("vigil.yaml");
        DataDirectory = _dir.Combine("data");
        File.WriteAllText(ConfigPath, $"""
            server:
              startup_grace: {startupGrace}
              shutdown_timeout: 10s
            ping:
              rate_limit: 1000000/s
            defaults:
              grace: 2s
            checks:
            {Indent(checksYaml, "  ")}
            receivers:
              hook:
                webhook: {"{"} url: "{webhookUrl}" {"}"}
            routes:
              - receivers: [hook]
            {Indent(routeYaml, "    ")}
            {extraYaml}
            """);
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public string BaseUrl { get; }

    public string ConfigPath { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "vigil.db");

    public ChildProcess? Process { get; private set; }

    /// <summary>Output of every process started so far, for failure messages.</summary>
    public string History { get; private set; } = "";

    public HttpClient Http => _http;

    public string AdminKey => File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();

    private static string Indent(string text, string prefix) =>
        string.Join('\n', text.Trim('\n').Split('\n').Select(l => prefix + l));

    /// <summary>Starts <c>vigil serve</c> and waits until <c>/readyz</c> answers 200.</summary>
    public async Task StartAsync()
    {
        if (Process is { HasExited: false })
        {
            throw new InvalidOperationException("already running");
        }

        if (Process is not null)
        {
            History += Process.Output;
            await Process.DisposeAsync().ConfigureAwait(false);
        }

        Process = ChildProcess.StartVigil(["serve", "--config", ConfigPath, "--data", DataDirectory, "--urls", BaseUrl]);
        var process = Process;
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"vigil serve exited early\n{process.Output}");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("/readyz", UriKind.Relative)).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, StartTimeout, "/readyz to answer 200", TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <summary>kill -9: a crash, with no chance to flush anything.</summary>
    public async Task KillHardAsync()
    {
        Process!.KillHard();
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, then waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        await Process!.SignalAsync("TERM").ConfigureAwait(false);
        return await Process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    public Task<HttpResponseMessage> PingAsync(Guid uuid, string? suffix = null, Guid? rid = null, CancellationToken ct = default)
    {
        var path = $"/ping/{uuid}" + (suffix is null ? "" : "/" + suffix) + (rid is null ? "" : $"?rid={rid}");
        return _http.GetAsync(new Uri(path, UriKind.Relative), ct);
    }

    /// <summary>True once nothing is pending in the outbox (read through the health API): everything owed so far has
    /// been delivered, so counting what a receiver got is final until something new is owed.</summary>
    public async Task<bool> OutboxEmptyAsync()
    {
        using var response = await _http.GetAsync(new Uri("/api/v1/health", UriKind.Relative)).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return json.RootElement.GetProperty("components").EnumerateArray()
            .Any(c => c.GetProperty("name").GetString() == "outbox" && c.GetProperty("reason").GetString() == "nothing pending");
    }

    /// <summary>Read-only look at the store: the rids of the success events of one check.</summary>
    public HashSet<Guid> SuccessRids(string check)
    {
        var rids = new HashSet<Guid>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rid FROM events WHERE check_name = $check AND type = 'success' AND rid IS NOT NULL";
        command.Parameters.AddWithValue("$check", check);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rids.Add(Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture));
        }

        return rids;
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync().ConfigureAwait(false);
        }

        _http.Dispose();
        _dir.Dispose();
    }
}
