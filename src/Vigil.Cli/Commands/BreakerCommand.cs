using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vigil.Client;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil breaker show|permit|report|force</c>: permit exits 0 allowed, 1 refused.</summary>
internal static class BreakerCommand
{
    public static Command Create()
    {
        var breaker = new Command("breaker", "shared circuit breakers: ask before calling a dependency, report after");

        var showName = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne, Description = "one breaker; all of them without" };
        var show = new Command("show", "state, counters, cooldown and probes (read)") { showName };
        Verb.Action(show, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var name = parse.GetValue(showName);
            IReadOnlyList<BreakerInfo> breakers = name is null ? await client.ListBreakersAsync(ct).ConfigureAwait(false) : [await client.Breaker(name).GetAsync(ct).ConfigureAwait(false)];
            if (cli.Json)
            {
                Console.WriteLine(name is null ? JsonSerializer.Serialize(breakers.Select(b => b.Json)) : breakers[0].Json.GetRawText());
                return ExitCodes.Ok;
            }

            foreach (var b in breakers)
            {
                Console.WriteLine($"{b.Name,-24} {b.State,-12} {Describe(b)}");
            }

            return ExitCodes.Ok;
        });

        var permitName = new Argument<string>("NAME");
        var holder = new Option<string?>("--holder") { Description = "who asks (default host:pid)" };
        var permit = new Command("permit", "ask for a permit: exit 0 allowed (prints the probe token when half-open), 1 refused") { permitName, holder };
        Verb.Action(permit, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var answer = await client.Breaker(parse.GetValue(permitName)!).PermitAsync(parse.GetValue(holder) ?? CliContext.ThisProcessAsHolder, ct: ct).ConfigureAwait(false);
            if (cli.Json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["allowed"] = answer.Allowed,
                    ["state"] = answer.State,
                    ["probe_token"] = answer.ProbeToken,
                    ["probe_expires_at"] = answer.ProbeExpiresAt is { } e ? Timestamps.Format(e) : null,
                    ["retry_after_s"] = answer.RetryAfter?.TotalSeconds,
                    ["unreachable"] = answer.Unreachable,
                }));
            }
            else if (answer.Allowed)
            {
                // The probe token alone on stdout, so a script can capture it: TOKEN=$(vigil breaker permit x).
                if (answer.ProbeToken is { } token) Console.WriteLine(token);
                cli.Info($"vigil: allowed ({answer.State})" + (answer.ProbeExpiresAt is { } until ? $"; a probe: report with --probe-token before {Timestamps.Format(until)}" : ""));
            }
            else
            {
                cli.Info($"vigil: refused ({answer.State})" + (answer.RetryAfter is { } retry ? $"; retry after {retry.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s" : "; until someone forces it auto"));
            }

            return answer.Allowed ? ExitCodes.Ok : ExitCodes.Failed;
        });

        var reportName = new Argument<string>("NAME");
        var outcome = new Option<string>("--outcome") { Required = true, Description = "success or failure" };
        outcome.AcceptOnlyFromAmong("success", "failure");
        var probeToken = new Option<string?>("--probe-token") { Description = "the token permit printed, when it was a probe" };
        var error = new Option<string?>("--error") { Description = "what went wrong (kept as last_error)" };
        var report = new Command("report", "report a call's outcome; exit 1 when the probe permit was already gone (nothing changed)")
        {
            reportName, outcome, probeToken, error,
        };
        Verb.Action(report, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var recorded = await client.Breaker(parse.GetValue(reportName)!).ReportAsync(
                parse.GetValue(outcome) == "success" ? BreakerOutcome.Success : BreakerOutcome.Failure, parse.GetValue(probeToken), parse.GetValue(error), ct).ConfigureAwait(false);
            if (!recorded)
            {
                await Console.Error.WriteLineAsync("vigil: the probe permit had expired or the breaker had moved on; this report changed nothing").ConfigureAwait(false);
            }

            return recorded ? ExitCodes.Ok : ExitCodes.Failed;
        });

        var forceName = new Argument<string>("NAME");
        var state = new Argument<string>("STATE") { Description = "open, closed, disabled or auto" };
        state.AcceptOnlyFromAmong("open", "closed", "disabled", "auto");
        var reason = new Option<string>("--reason") { Required = true, Description = "why; recorded in the audit log with the key's name" };
        var force = new Command("force", "force a breaker open, closed, disabled, or back to auto (write; audited)") { forceName, state, reason };
        Verb.Action(force, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var to = Enum.Parse<BreakerForce>(parse.GetValue(state)!, ignoreCase: true);
            var info = await client.Breaker(parse.GetValue(forceName)!).ForceAsync(to, parse.GetValue(reason)!, ct).ConfigureAwait(false);
            Console.WriteLine(cli.Json ? info.Json.GetRawText() : $"{info.Name}: {info.State}");
            return ExitCodes.Ok;
        });

        breaker.Subcommands.Add(show);
        breaker.Subcommands.Add(permit);
        breaker.Subcommands.Add(report);
        breaker.Subcommands.Add(force);
        return breaker;
    }

    private static string Describe(BreakerInfo b)
    {
        var parts = new List<string>();
        if (b.CooldownUntil is { } until) parts.Add($"until {Timestamps.Format(until)}");
        if (b.ProbesOut > 0) parts.Add($"{b.ProbesOut} probe(s) out");
        if (b.ConsecutiveFailures > 0) parts.Add($"{b.ConsecutiveFailures} consecutive failure(s)");
        parts.Add("last success " + (b.LastSuccessAt is { } s ? Timestamps.Format(s) : "never"));
        if (b.LastFailureAt is { } f) parts.Add($"last failure {Timestamps.Format(f)}");
        return string.Join(", ", parts);
    }
}
