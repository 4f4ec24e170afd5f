using System.CommandLine;
using System.Runtime.InteropServices;
using Vigil.Configuration;
using Vigil.Domain.Persistence;
using Vigil.Server;

namespace Vigil.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "vigil.yaml to run (default: none, an empty Vigil on SQLite in ./data)" };
        var data = new Option<string?>("--data") { Description = "data directory: admin.key, vigil.db (overrides server.data)" };
        var urls = new Option<string?>("--urls") { Description = "listen addresses (overrides server.urls)" };
        var serve = new Command("serve", "run the server in the foreground; SIGTERM or SIGINT drain and stop it") { config, data, urls };
        Verb.Action(serve, async (cli, parse, ct) =>
        {
            var loaded = Load(parse.GetValue(config), parse.GetValue(data), cli.Environment, out var problems);
            if (loaded is null)
            {
                foreach (var problem in problems)
                {
                    await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                }

                await Console.Error.WriteLineAsync("vigil: not starting: the configuration is invalid").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            var settings = loaded;
            if (parse.GetValue(urls) is { } listen)
            {
                settings = settings with { Urls = listen };
            }

            VigilServer server;
            try
            {
                server = await VigilServer.StartAsync(settings, ct: ct).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                await Console.Error.WriteLineAsync($"vigil: not starting: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"vigil: not starting: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync($"vigil: not starting: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            await using (server.ConfigureAwait(false))
            {
                var configPath = parse.GetValue(config);
                Task Reload(string why) => ReloadAsync(server, configPath, parse.GetValue(data), parse.GetValue(urls), why);
                using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true;
                    _ = Reload("SIGHUP");
                });
                using var watcher = configPath is null ? null : new ConfigWatcher(configPath, () => _ = Reload("the file changed"), TimeProvider.System);
                await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }, talksToServer: false);
        return serve;
    }

    private static readonly SemaphoreSlim OneReloadAtATime = new(1, 1);

    /// <summary>SIGHUP or a changed file: an invalid file is reported and the running configuration stays.</summary>
    private static async Task ReloadAsync(VigilServer server, string? configPath, string? dataOverride, string? urlsOverride, string why)
    {
        await OneReloadAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            await ReloadOnceAsync(server, configPath, dataOverride, urlsOverride, why).ConfigureAwait(false);
        }
        finally
        {
            OneReloadAtATime.Release();
        }
    }

    private static async Task ReloadOnceAsync(VigilServer server, string? configPath, string? dataOverride, string? urlsOverride, string why)
    {
        if (configPath is null)
        {
            await Console.Error.WriteLineAsync($"vigil: {why}: no --config to reload; nothing changed").ConfigureAwait(false);
            return;
        }

        var next = Load(configPath, dataOverride, ConfigLoader.ProcessEnvironment(), out var problems);
        if (next is null)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"vigil: {why}: the configuration is invalid; still running the previous one").ConfigureAwait(false);
            return;
        }

        try
        {
            var summary = await server.ReloadAsync(urlsOverride is null ? next : next with { Urls = urlsOverride }).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"vigil: {why}: {summary}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"vigil: {why}: reload failed ({ex.Message}); still running the previous configuration").ConfigureAwait(false);
        }
    }

    /// <summary>The settings to run, or null with every problem (file:line:column, or unsupported features).</summary>
    internal static ServerSettings? Load(string? configPath, string? dataOverride, IReadOnlyDictionary<string, string?> env, out IReadOnlyList<string> problems)
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

        var (settings, unsupported) = SettingsFromConfig.Create(config, TimeProvider.System.GetUtcNow());
        if (unsupported.Count > 0)
        {
            problems = [.. unsupported.Select(u => $"{configPath}: {u}")];
            return null;
        }

        if (dataOverride is not null)
        {
            var full = Path.GetFullPath(dataOverride);
            var defaultSqlite = Path.Combine(settings.DataDirectory, "vigil.db");
            settings = settings with
            {
                DataDirectory = full,
                SqlitePath = settings.SqlitePath is null || settings.SqlitePath == defaultSqlite ? Path.Combine(full, "vigil.db") : settings.SqlitePath,
            };
        }

        problems = [];
        return settings;
    }
}
