using System.CommandLine;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil mode</c> shows the running mode; <c>vigil mode NAME --reason R</c> switches to it (an admin key).</summary>
internal static class ModeCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "the mode to switch to (omit to show the running one)", Arity = ArgumentArity.ZeroOrOne };
        var reason = new Option<string?>("--reason") { Description = "why (required to switch; recorded with the change)" };
        var mode = new Command("mode", "show the running mode, or switch it at once (admin key, with --reason)") { name, reason };
        Verb.Action(mode, async (cli, parse, ct) =>
        {
            var target = parse.GetValue(name);
            var why = parse.GetValue(reason);
            if (target is null && why is not null)
            {
                throw new UsageException("--reason goes with a mode to switch to: vigil mode NAME --reason R");
            }

            if (target is not null && string.IsNullOrWhiteSpace(why))
            {
                throw new UsageException($"switching to '{target}' needs --reason: say why (it is recorded with the change)");
            }

            using var client = cli.CreateClient();
            if (target is null)
            {
                var shown = await client.GetModeAsync(ct).ConfigureAwait(false);
                if (cli.Json)
                {
                    Console.WriteLine(shown.GetRawText());
                    return ExitCodes.Ok;
                }

                var modes = string.Join(", ", shown.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));
                Console.WriteLine(shown.GetProperty("mode").GetString() is { } running
                    ? $"mode: {running} (from {shown.GetProperty("source").GetString()}; declared: {modes})"
                    : "no modes are declared in vigil.yaml");
                return ExitCodes.Ok;
            }

            var changed = await client.SetModeAsync(target, why!, ct).ConfigureAwait(false);
            if (cli.Json)
            {
                Console.WriteLine(changed.GetRawText());
                return ExitCodes.Ok;
            }

            Console.WriteLine(changed.GetProperty("changed").GetBoolean()
                ? $"mode: {changed.GetProperty("previous").GetString()} → {changed.GetProperty("mode").GetString()}"
                : $"mode: already {changed.GetProperty("mode").GetString()}");
            if (changed.TryGetProperty("note", out var note) && note.GetString() is { } text)
            {
                cli.Info("vigil: " + text);
            }

            return ExitCodes.Ok;
        });
        return mode;
    }
}
