using System.CommandLine;
using System.Text.Json;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "API keys (admin)");

        var name = new Option<string>("--name") { Required = true };
        var scope = new Option<string>("--scope") { Required = true, Description = "ping, read, write or admin" };
        scope.AcceptOnlyFromAmong("ping", "read", "write", "admin");
        var create = new Command("create", "create a key; it is printed once and stored hashed") { name, scope };
        Verb.Action(create, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var key = await client.CreateKeyAsync(parse.GetValue(name)!, parse.GetValue(scope)!, ct).ConfigureAwait(false);
            Console.WriteLine(cli.Json ? JsonSerializer.Serialize(new { name = key.Name, scope = key.Scope, key = key.Key }) : key.Key);
            return ExitCodes.Ok;
        });

        var list = new Command("list", "names and scopes (never the keys)");
        Verb.Action(list, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var all = await client.ListKeysAsync(ct).ConfigureAwait(false);
            if (cli.Json)
            {
                Console.WriteLine(JsonSerializer.Serialize(all, CliJson.Options));
                return ExitCodes.Ok;
            }

            foreach (var key in all)
            {
                Console.WriteLine($"{key.Name,-24} {key.Scope,-6} {Timestamps.Format(key.CreatedAt)}{(key.FromConfig ? "  (config)" : "")}");
            }

            return ExitCodes.Ok;
        });

        var revokeName = new Argument<string>("NAME");
        var revoke = new Command("revoke", "revoke a key") { revokeName };
        Verb.Action(revoke, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            await client.RevokeKeyAsync(parse.GetValue(revokeName)!, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }
}
