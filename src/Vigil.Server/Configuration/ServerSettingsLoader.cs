using Vigil.Configuration;

namespace Vigil.Server.Configuration;

/// <summary>Reads vigil.yaml into the settings the server runs, or every problem with it (file:line:column, or
/// a feature this version does not have).</summary>
public static class ServerSettingsLoader
{
    public static ServerSettings? Load(string? configPath, string? dataOverride, IReadOnlyDictionary<string, string?> env, TimeProvider time,
        out IReadOnlyList<string> problems)
    {
        VigilConfig config;
        if (configPath is null)
        {
            config = VigilConfig.Default(dataOverride ?? "data");
        }
        else
        {
            var result = ConfigLoader.Load(configPath, env);
            if (!result.IsValid)
            {
                problems = [.. result.Problems.Select(p => p.ToString())];
                return null;
            }

            config = result.Config!;
        }

        var (settings, unsupported) = SettingsFromConfig.Create(config, time.GetUtcNow());
        if (unsupported.Count > 0)
        {
            problems = [.. unsupported.Select(u => $"{configPath}: {u}")];
            return null;
        }

        if (dataOverride is not null)
        {
            var full = System.IO.Path.GetFullPath(dataOverride);
            var defaultSqlite = System.IO.Path.Combine(settings.DataDirectory, "vigil.db");
            settings = settings with
            {
                DataDirectory = full,
                SqlitePath = settings.SqlitePath is null || settings.SqlitePath == defaultSqlite ? System.IO.Path.Combine(full, "vigil.db") : settings.SqlitePath,
            };
        }

        problems = [];
        return settings;
    }

    /// <summary>Loads a <see cref="ConfigSource"/>, applying its overrides.</summary>
    public static ServerSettings? Load(ConfigSource source, IReadOnlyDictionary<string, string?> env, TimeProvider time, out IReadOnlyList<string> problems)
    {
        var settings = Load(source.Path, source.DataOverride, env, time, out problems);
        return settings is not null && source.UrlsOverride is { } urls ? settings with { Urls = urls } : settings;
    }
}
