using System.CommandLine;
using System.Text.Json;
using Vigil.Client;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

internal static class LeaseCommand
{
    public static Command Create()
    {
        var lease = new Command("lease", "take, renew and release a check's lease by hand, for scripts");

        var check = new Argument<string>("CHECK");
        var ttl = new Option<string?>("--ttl") { Description = "lease TTL (default: the check's max_runtime)" };
        var holder = new Option<string?>("--holder") { Description = "who holds it (default host:pid of the caller)" };
        var acquire = new Command("acquire", "take the lease; prints the token; exit 75 when held elsewhere") { check, ttl, holder };
        Verb.Action(acquire, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var who = parse.GetValue(holder) ?? CliContext.ThisProcessAsHolder;
            var result = await client.AcquireAsync(parse.GetValue(check)!, CliParse.OptionalDuration(parse.GetValue(ttl), "--ttl"), who, ct: ct).ConfigureAwait(false);
            if (result.Grant is not { } grant)
            {
                var holders = string.Join(", ", result.Holders.Select(h => $"{h.Holder} until {Timestamps.Format(h.ExpiresAt)}"));
                await Console.Error.WriteLineAsync($"vigil: the lease is held by {holders}").ConfigureAwait(false);
                return ExitCodes.TempFail;
            }

            Console.WriteLine(cli.Json
                ? JsonSerializer.Serialize(new { token = grant.Token, fencing_token = grant.FencingToken, expires_at = Timestamps.Format(grant.ExpiresAt), rid = grant.Rid })
                : $"token={grant.Token}\nfencing_token={grant.FencingToken}\nexpires_at={Timestamps.Format(grant.ExpiresAt)}\nrid={grant.Rid}");
            return ExitCodes.Ok;
        });

        var renewCheck = new Argument<string>("CHECK");
        var token = new Option<string>("--token") { Required = true, Description = "the token acquire printed" };
        var renewTtl = new Option<string?>("--ttl") { Description = "new TTL" };
        var renew = new Command("renew", "extend the lease; exit 1 when it is gone") { renewCheck, token, renewTtl };
        Verb.Action(renew, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var expires = await client.RenewAsync(parse.GetValue(renewCheck)!, parse.GetValue(token)!, CliParse.OptionalDuration(parse.GetValue(renewTtl), "--ttl"), ct: ct).ConfigureAwait(false);
            if (expires is null)
            {
                await Console.Error.WriteLineAsync("vigil: the lease is gone (expired or released); stop acting on it").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            Console.WriteLine(cli.Json ? JsonSerializer.Serialize(new { expires_at = Timestamps.Format(expires.Value) }) : $"expires_at={Timestamps.Format(expires.Value)}");
            return ExitCodes.Ok;
        });

        var releaseCheck = new Argument<string>("CHECK");
        var releaseToken = new Option<string>("--token") { Required = true };
        var outcome = new Option<string>("--outcome") { Required = true, Description = "success or fail" };
        outcome.AcceptOnlyFromAmong("success", "fail");
        var exitCode = new Option<int?>("--exit-code");
        var message = new Option<string?>("--message");
        var release = new Command("release", "release with an outcome; exit 1 when the lease was already gone") { releaseCheck, releaseToken, outcome, exitCode, message };
        Verb.Action(release, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var released = await client.ReleaseAsync(parse.GetValue(releaseCheck)!, parse.GetValue(releaseToken)!,
                parse.GetValue(outcome) == "success" ? LeaseOutcome.Success : LeaseOutcome.Fail,
                parse.GetValue(exitCode), parse.GetValue(message), ct: ct).ConfigureAwait(false);
            if (!released)
            {
                await Console.Error.WriteLineAsync("vigil: the lease was already gone; the outcome was recorded as a late report").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });

        lease.Subcommands.Add(acquire);
        lease.Subcommands.Add(renew);
        lease.Subcommands.Add(release);
        return lease;
    }
}
