using System.CommandLine;

namespace Vigil.Cli.Commands;

internal static class HealthCommand
{
    public static Command Create()
    {
        var health = new Command("health", "overall level and every component; exit 0 ok, 1 warning, 2 critical");
        Verb.Action(health, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var json = await client.HealthAsync(ct).ConfigureAwait(false);
            var level = json.GetProperty("level").GetString();
            if (cli.Json)
            {
                Console.WriteLine(json.GetRawText());
            }
            else
            {
                Console.WriteLine($"level: {level}");
                if (json.TryGetProperty("mode", out var mode) && mode.GetString() is { } running)
                {
                    Console.WriteLine($"mode: {running}");
                }

                foreach (var c in json.GetProperty("components").EnumerateArray())
                {
                    Console.WriteLine($"  {c.GetProperty("kind").GetString()}/{c.GetProperty("name").GetString()}: {c.GetProperty("level").GetString()} — {c.GetProperty("reason").GetString()}");
                }
            }

            return level switch { "ok" => 0, "warning" => 1, _ => 2 };
        });
        return health;
    }
}
