using System.CommandLine;
using Vigil.Client;

namespace Vigil.Cli.Commands;

internal static class PingCommand
{
    public static Command Create()
    {
        var check = new Argument<string>("CHECK");
        var start = new Option<bool>("--start") { Description = "a run starts" };
        var fail = new Option<bool>("--fail") { Description = "failure" };
        var exit = new Option<int?>("--exit") { Description = "exit status: 0 success, 1-255 failure" };
        var log = new Option<bool>("--log") { Description = "recorded, no status change" };
        var rid = new Option<string?>("--rid") { Description = "run id (UUID) tying start and end" };
        var dataTs = new Option<string?>("--data-ts") { Description = "time of the newest data (RFC 3339 with offset, or epoch seconds)" };
        var bodyFile = new Option<string?>("--body-file") { Description = "send this file as the run's log" };
        var body = new Option<string?>("--body") { Description = "send this text as the run's log" };
        var create = new Option<bool>("--create") { Description = "create the check if it does not exist" };
        var ping = new Command("ping", "send one signal") { check, start, fail, exit, log, rid, dataTs, bodyFile, body, create };
        Verb.Action(ping, async (cli, parse, ct) =>
        {
            var kinds = new[] { parse.GetValue(start), parse.GetValue(fail), parse.GetValue(exit) is not null, parse.GetValue(log) }.Count(k => k);
            if (kinds > 1)
            {
                throw new UsageException("give at most one of --start, --fail, --exit N, --log");
            }

            if (parse.GetValue(exit) is < 0 or > 255)
            {
                throw new UsageException("--exit must be between 0 and 255");
            }

            if (parse.GetValue(bodyFile) is not null && parse.GetValue(body) is not null)
            {
                throw new UsageException("give --body-file or --body, not both");
            }

            Guid? runId = null;
            if (parse.GetValue(rid) is { } ridText)
            {
                runId = Guid.TryParse(ridText, out var parsed) ? parsed : throw new UsageException($"--rid '{ridText}' is not a UUID");
            }

            var text = parse.GetValue(body);
            if (parse.GetValue(bodyFile) is { } path)
            {
                try
                {
                    text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"--body-file {path} cannot be read: {ex.Message}");
                }
            }

            var kind = parse.GetValue(start) ? PingKind.Start : parse.GetValue(fail) ? PingKind.Fail : parse.GetValue(log) ? PingKind.Log : PingKind.Success;
            using var client = cli.CreateClient();
            var status = await client.PingAsync(parse.GetValue(check)!, kind, parse.GetValue(exit), runId,
                CliParse.OptionalInstant(parse.GetValue(dataTs), "--data-ts"), text, create: parse.GetValue(create), ct: ct).ConfigureAwait(false);
            cli.Info(status == 201 ? "Created" : "OK");
            return ExitCodes.Ok;
        });
        return ping;
    }
}
