using System.CommandLine;
using Vigil.Client;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil gate check|wait|kill|release NAME</c>: check exits 0 open, 1 closed (and 1 when Vigil
/// cannot be asked: a gate fails closed).</summary>
internal static class GateCommand
{
    public static Command Create()
    {
        var gate = new Command("gate", "gates and their kill switches: may a risky program proceed?");

        var checkName = new Argument<string>("NAME");
        var check = new Command("check", "exit 0 when the gate is open, 1 when it is closed (with every reason)") { checkName };
        Verb.Action(check, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var answer = await client.GetGateAsync(parse.GetValue(checkName)!, ct: ct).ConfigureAwait(false);
            Print(cli, answer);
            return answer.Open ? ExitCodes.Ok : ExitCodes.Failed;
        });

        var waitName = new Argument<string>("NAME");
        var timeout = new Option<string?>("--timeout") { Description = "give up after this long (exit 1); default: wait until it opens" };
        var every = new Option<string?>("--every") { Description = "how often to ask (default 1s)" };
        var wait = new Command("wait", "wait until the gate opens; exit 0 once open, 1 when --timeout ran out") { waitName, timeout, every };
        Verb.Action(wait, async (cli, parse, ct) =>
        {
            var limit = CliParse.OptionalDuration(parse.GetValue(timeout), "--timeout");
            var interval = CliParse.OptionalDuration(parse.GetValue(every), "--every");
            using var client = cli.CreateClient();
            var answer = await client.WaitGateAsync(parse.GetValue(waitName)!, limit, interval, ct: ct).ConfigureAwait(false);
            Print(cli, answer);
            return answer.Open ? ExitCodes.Ok : ExitCodes.Failed;
        });

        gate.Subcommands.Add(check);
        gate.Subcommands.Add(wait);
        gate.Subcommands.Add(KillSwitch("kill", "engage the kill switch (admin; audited): the gate closes", (c, n, r, ct) => c.KillGateAsync(n, r, ct)));
        gate.Subcommands.Add(KillSwitch("release", "release the kill switch (admin; audited)", (c, n, r, ct) => c.ReleaseGateAsync(n, r, ct)));
        return gate;
    }

    private static Command KillSwitch(string verb, string description, Func<VigilClient, string, string, CancellationToken, Task<GateInfo>> act)
    {
        var name = new Argument<string>("NAME");
        var reason = new Option<string>("--reason") { Required = true, Description = "why; recorded in the audit log with the key's name" };
        var command = new Command(verb, description) { name, reason };
        Verb.Action(command, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var answer = await act(client, parse.GetValue(name)!, parse.GetValue(reason)!, ct).ConfigureAwait(false);
            Print(cli, answer);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliContext cli, GateInfo gate)
    {
        if (cli.Json)
        {
            Console.WriteLine(gate.Json.GetRawText());
            return;
        }

        Console.WriteLine($"{gate.Name}: {(gate.Open ? "open" : "closed")}");
        foreach (var reason in gate.Reasons)
        {
            Console.WriteLine($"  {reason.Kind} {reason.Name}: {reason.Detail}");
        }

        if (gate.Kill is { At: { } at } kill)
        {
            Console.WriteLine($"  kill switch {(kill.Engaged ? "engaged" : "released")} by {kill.By} at {Timestamps.Format(at)}: {kill.Reason}");
        }
    }
}
