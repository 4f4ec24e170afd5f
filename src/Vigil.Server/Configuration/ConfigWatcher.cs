namespace Vigil.Server.Configuration;

/// <summary>
/// Calls back when the config file changes (written in place, or replaced by rename as editors do), once per
/// burst of events: editors and deploy tools write a file in several steps, and a half-written file must not
/// count as the new configuration.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    /// <summary>How long the file must be quiet before it is read. The default value is 500 milliseconds.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _debounce;

    public ConfigWatcher(string path, Action changed, TimeProvider time)
    {
        var full = Path.GetFullPath(path);
        _debounce = time.CreateTimer(_ => changed(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Touch();
        _watcher.Created += (_, _) => Touch();
        _watcher.Renamed += (_, e) =>
        {
            if (string.Equals(e.FullPath, full, StringComparison.Ordinal))
            {
                Touch();
            }
        };
        _watcher.EnableRaisingEvents = true;
    }

    private void Touch() => _debounce.Change(Quiet, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
    }
}
