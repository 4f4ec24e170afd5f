using System.CommandLine;
using System.Text.Json;

namespace Vigil.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create()
    {
        var watch = new Option<bool>("--watch") { Description = "refresh every 2 seconds until interrupted" };
        var tag = new Option<string?>("--tag") { Description = "only checks with this tag" };
        var status = new Command("status", "a table of checks; exit 1 when any is down") { watch, tag };
        Verb.Action(status, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var colour = !Console.IsOutputRedirected && cli.Env("NO_COLOR") is null && cli.Env("TERM") is not "dumb";
            while (true)
            {
                var checks = await client.ListChecksAsync(parse.GetValue(tag), ct).ConfigureAwait(false);
                if (cli.Json)
                {
                    Console.WriteLine(JsonSerializer.Serialize(checks, CliJson.Options));
                }
                else
                {
                    if (parse.GetValue(watch) && colour)
                    {
                        Console.Write("\u001b[H\u001b[2J");
                    }

                    Console.Write(StatusTable.Render(checks, TimeProvider.System.GetUtcNow(), colour));
                }

                if (!parse.GetValue(watch))
                {
                    return checks.Any(c => c.Status == "down") ? ExitCodes.Failed : ExitCodes.Ok;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), TimeProvider.System, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Ok;
                }
            }
        });
        return status;
    }
}
