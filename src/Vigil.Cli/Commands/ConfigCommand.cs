using System.CommandLine;
using Vigil.Server.Configuration;

namespace Vigil.Cli.Commands;

internal static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "the file to check", DefaultValueFactory = _ => "vigil.yaml" };
        var check = new Command("check", "validate a config file; prints every problem with file:line:column; exit 1 if any") { file };
        Verb.Action(check, async (cli, parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var settings = ServerSettingsLoader.Load(path, null, cli.Environment, TimeProvider.System, out var problems);
            if (settings is null)
            {
                foreach (var problem in problems)
                {
                    await Console.Out.WriteLineAsync(problem).ConfigureAwait(false);
                }

                await Console.Error.WriteLineAsync($"vigil: {problems.Count} problem(s) in {path}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            cli.Info($"{path}: ok ({settings.Checks.Count} checks, {settings.Receivers.Count} receivers, {settings.Routes.Count} routes)");
            return ExitCodes.Ok;
        }, talksToServer: false);

        var config = new Command("config", "work with vigil.yaml");
        config.Subcommands.Add(check);
        return config;
    }
}
