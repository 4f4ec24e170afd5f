using System.CommandLine;
using System.Text.Json;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil audit [--limit N]</c>: who did what, newest first (admin).</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "how many entries (1 to 1000)", DefaultValueFactory = _ => 50 };
        var audit = new Command("audit", "who did what: kill switches, breaker forces, keys (admin)") { limit };
        Verb.Action(audit, async (cli, parse, ct) =>
        {
            var n = parse.GetValue(limit);
            if (n is < 1 or > 1000)
            {
                throw new UsageException("--limit must be between 1 and 1000");
            }

            using var client = cli.CreateClient();
            var entries = await client.GetAuditAsync(n, ct: ct).ConfigureAwait(false);
            if (cli.Json)
            {
                Console.WriteLine(JsonSerializer.Serialize(entries, CliJson.Options));
                return ExitCodes.Ok;
            }

            foreach (var e in entries)
            {
                Console.WriteLine($"{Timestamps.Format(e.At)}  {e.Key,-16} {e.Action,-22} {e.Target,-20} {e.Reason}");
            }

            return ExitCodes.Ok;
        });
        return audit;
    }
}
