using System.CommandLine;
using System.Text.Json;

namespace Vigil.Cli.Commands;

internal static class ChecksCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var checks = new Command("checks", "show, pause, resume or delete one check");
        checks.Subcommands.Add(Verb("show", "everything about one check", async (client, name, ct) =>
        {
            Console.WriteLine(JsonSerializer.Serialize(await client.GetCheckAsync(name, ct).ConfigureAwait(false), Indented));
        }));
        checks.Subcommands.Add(Verb("pause", "stop evaluating it until resumed", async (client, name, ct) =>
            await client.PauseAsync(name, ct).ConfigureAwait(false)));
        checks.Subcommands.Add(Verb("resume", "evaluate it again from its next signal", async (client, name, ct) =>
            await client.ResumeAsync(name, ct).ConfigureAwait(false)));
        checks.Subcommands.Add(Verb("delete", "delete a check created through the API", async (client, name, ct) =>
            await client.DeleteCheckAsync(name, ct).ConfigureAwait(false)));
        return checks;
    }

    private static Command Verb(string name, string description, Func<Client.VigilClient, string, CancellationToken, Task> action)
    {
        var check = new Argument<string>("NAME");
        var command = new Command(name, description) { check };
        Cli.Verb.Action(command, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            await action(client, parse.GetValue(check)!, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
