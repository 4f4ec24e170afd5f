using System.Runtime.InteropServices;
using Vigil.Configuration;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Persistence;
using Vigil.Server.Engine;

namespace Vigil.Server.Configuration;

/// <summary>
/// Re-reads the config on SIGHUP and when its file changes, one reload at a time. A valid file is applied as a
/// whole (checks, routes, receivers, keys in one batch); an invalid or conflicting one is reported and the
/// running configuration stays entirely. Part of the server, so every host of it gets reloads.
/// </summary>
internal sealed class ConfigReloader : IDisposable
{
    private readonly VigilServer _server;
    private readonly ConfigSource _source;
    private readonly Action<string> _report;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly PosixSignalRegistration? _sighup;
    private readonly ConfigWatcher _watcher;

    public ConfigReloader(VigilServer server, ConfigSource source, Action<string> report, TimeProvider time)
    {
        _server = server;
        _source = source;
        _report = report;
        _time = time;
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _ = ReloadAsync("SIGHUP");
            });
        }

        // The watcher debounces on real time: it waits for a file to stop changing on disk.
        _watcher = new ConfigWatcher(source.Path, () => _ = ReloadAsync("the file changed"), TimeProvider.System);
    }

    /// <summary>Reloads now; returns the sentence it reported.</summary>
    public async Task<string> ReloadAsync(string why)
    {
        await _oneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            var message = await ReloadOnceAsync(why).ConfigureAwait(false);
            _report(message);
            return message;
        }
        catch (Exception ex)
        {
            // A reload must never take the server down: report it and keep running the previous configuration.
            var message = $"vigil: {why}: reload failed ({ex.Message}); still running the previous configuration";
            _report(message);
            return message;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<string> ReloadOnceAsync(string why)
    {
        var next = ServerSettingsLoader.Load(_source, ConfigLoader.ProcessEnvironment(), _time, out var problems);
        if (next is null)
        {
            return string.Join(Environment.NewLine, problems.Append($"vigil: {why}: the configuration is invalid; still running the previous one"));
        }

        try
        {
            var summary = await _server.ReloadAsync(next).ConfigureAwait(false);
            return $"vigil: {why}: {summary}";
        }
        catch (Exception ex) when (ex is ConfigConflictException or ServiceUnavailableException or StoreUnavailableException)
        {
            return $"vigil: {why}: reload refused ({ex.Message}); still running the previous configuration";
        }
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _watcher.Dispose();
        _oneAtATime.Dispose();
    }
}
