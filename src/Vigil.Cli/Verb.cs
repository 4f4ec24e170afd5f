using System.CommandLine;
using Vigil.Client;

namespace Vigil.Cli;

/// <summary>Runs a verb's action with the spec's exit codes: usage 2, unreachable 3, refused 1. A verb that
/// reached the server then delivers whatever the spool holds.</summary>
internal static class Verb
{
    public static void Action(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> action, bool talksToServer = true) =>
        command.SetAction(async (parse, ct) =>
        {
            CliContext cli;
            try
            {
                cli = new CliContext(parse);
            }
            catch (UsageException ex)
            {
                await Console.Error.WriteLineAsync("vigil: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            try
            {
                var code = await action(cli, parse, ct).ConfigureAwait(false);
                if (talksToServer && code != ExitCodes.Unreachable)
                {
                    await ReplaySpoolAsync(cli, ct).ConfigureAwait(false);
                }

                return code;
            }
            catch (UsageException ex)
            {
                await Console.Error.WriteLineAsync("vigil: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (VigilUnreachableException ex)
            {
                await Console.Error.WriteLineAsync("vigil: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Unreachable;
            }
            catch (VigilApiException ex)
            {
                await Console.Error.WriteLineAsync("vigil: the server said " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("API key", StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync("vigil: " + ex.Message + "; give --key, VIGIL_API_KEY, or run where data/admin.key is readable").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });

    private static async Task ReplaySpoolAsync(CliContext cli, CancellationToken ct)
    {
        if (cli.Key is null)
        {
            return;
        }

        var spool = new Spool(cli.SpoolDirectory, TimeProvider.System);
        if (spool.Pending().Count == 0)
        {
            return;
        }

        using var client = cli.CreateClient();
        try
        {
            var sent = await spool.ReplayAsync(client, cli.Info, ct).ConfigureAwait(false);
            if (sent > 0)
            {
                cli.Info($"vigil: delivered {sent} spooled signal(s) as late reports");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            cli.Info($"vigil: could not read the spool at {spool.Directory}: {ex.Message}");
        }
    }
}
