using System.Globalization;
using Vigil.Testing;

namespace Vigil.EndToEnd.Tests;

/// <summary>
/// A real Prometheus Alertmanager (Debian's <c>prometheus-alertmanager</c>, installed by <c>eng/test.sh</c>) on a free
/// loopback port, clustering off (<c>--cluster.listen-address=""</c>), its state in a temp directory, the given
/// configuration. Killed by its process id and the directory removed in <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    public const string Executable = "prometheus-alertmanager";

    private readonly TempDir _dir;
    private readonly ChildProcess _process;

    private AlertmanagerProcess(TempDir dir, ChildProcess process, int port)
    {
        _dir = dir;
        _process = process;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    /// <summary>What it printed so far, for failure messages.</summary>
    public string Output => _process.Output;

    public static async Task<AlertmanagerProcess> StartAsync(string configYaml)
    {
        var dir = new TempDir();
        var config = dir.Combine("alertmanager.yml");
        await File.WriteAllTextAsync(config, configYaml).ConfigureAwait(false);
        var port = Ports.Free();
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(Executable,
            [
                "--config.file=" + config,
                "--storage.path=" + dir.Combine("data"),
                "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                "--cluster.listen-address=",
                "--log.level=debug",
            ]);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            dir.Dispose();
            throw new InvalidOperationException($"cannot start {Executable} ({ex.Message}); eng/test.sh installs Debian's prometheus-alertmanager", ex);
        }

        var server = new AlertmanagerProcess(dir, process, port);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{Executable} exited early\n{process.Output}");
                }

                try
                {
                    using var ready = await http.GetAsync(new Uri(server.BaseUrl + "/-/ready")).ConfigureAwait(false);
                    return ready.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(20), $"{Executable} to answer /-/ready").ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        _dir.Dispose();
    }
}
