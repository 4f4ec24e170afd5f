using System.CommandLine;
using Vigil.Cli;
using Vigil.Cli.Commands;

var root = new RootCommand("vigil: liveness and alerting for automated jobs. `vigil serve` runs the server; every other verb talks to it.");
GlobalOptions.AddTo(root);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(ConfigCommand.Create());
root.Subcommands.Add(PingCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(LeaseCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ChecksCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(SilenceCommand.Create());
root.Subcommands.Add(ReceiversCommand.Create());
root.Subcommands.Add(HealthCommand.Create());
root.Subcommands.Add(ModeCommand.Create());
root.Subcommands.Add(GateCommand.Create());
root.Subcommands.Add(BreakerCommand.Create());
root.Subcommands.Add(AuditCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync("vigil: " + error.Message).ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("run `vigil --help` for usage").ConfigureAwait(false);
    return ExitCodes.Usage;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
