using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil receivers test NAME</c>: a test notification through one receiver, now; exit 0 when it was
/// delivered, 1 with the receiver's error sentence when not.</summary>
internal static class ReceiversCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var receivers = new Command("receivers", "the configured receivers");
        var name = new Argument<string>("NAME") { Description = "the receiver's name in the config" };
        var test = new Command("test", "send a test notification through one receiver now (not through routes or the outbox) and say how it went") { name };
        Verb.Action(test, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var result = await client.TestReceiverAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            var took = result.DurationMs.ToString(CultureInfo.InvariantCulture) + " ms";
            if (cli.Json)
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Json));
            }
            else if (result.Delivered)
            {
                Console.WriteLine($"delivered a test notification through '{result.Receiver}' ({took})");
            }

            if (result.Delivered)
            {
                return ExitCodes.Ok;
            }

            var hint = result.RetryAfterS is { } after ? $"; the receiver asks to wait {after.ToString(CultureInfo.InvariantCulture)}s" : "";
            await Console.Error.WriteLineAsync($"vigil: not delivered ({took}): {result.Error}{hint}").ConfigureAwait(false);
            return ExitCodes.Failed;
        });

        receivers.Subcommands.Add(test);
        return receivers;
    }
}
