using System.CommandLine;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Persistence;
using Vigil.Server;
using Vigil.Server.Configuration;

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
            var configPath = parse.GetValue(config);
            var source = configPath is null ? null : new ConfigSource(configPath, parse.GetValue(data), parse.GetValue(urls));
            var loaded = ServerSettingsLoader.Load(configPath, parse.GetValue(data), cli.Environment, TimeProvider.System, out var problems);
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
                server = await VigilServer.StartAsync(settings, new VigilServerOptions
                {
                    ReloadFrom = source,
                    ReportReload = Console.Error.WriteLine,
                }, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or IOException or InvalidOperationException or ConfigConflictException)
            {
                await Console.Error.WriteLineAsync($"vigil: not starting: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            await using (server.ConfigureAwait(false))
            {
                await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (server.FatalReason is { } reason)
            {
                await Console.Error.WriteLineAsync($"vigil: stopped: {reason}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }, talksToServer: false);
        return serve;
    }
}
