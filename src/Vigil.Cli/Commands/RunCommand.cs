using System.CommandLine;

namespace Vigil.Cli.Commands;

internal static class RunCommand
{
    public static Command Create()
    {
        var check = new Argument<string>("CHECK") { Description = "the check this job proves alive" };
        var ttl = new Option<string?>("--ttl") { Description = "lease TTL (default: the check's max_runtime)" };
        var renewEvery = new Option<string?>("--renew-every") { Description = "renew period (default: a third of the TTL)" };
        var allowOverlap = new Option<bool>("--allow-overlap") { Description = "run even when the lease is held elsewhere" };
        var gate = new Option<string?>("--gate") { Description = "ask this gate first; closed → exit 75 without running" };
        var breaker = new Option<string?>("--breaker") { Description = "ask this breaker for a permit first (refused → exit 75) and report the outcome to it" };
        var every = new Option<string?>("--every") { Description = "repeat the whole cycle forever on this period" };
        var tailBytes = new Option<int>("--tail-bytes") { Description = "how much of the output's end to keep", DefaultValueFactory = _ => 10000 };
        var command = new Argument<string[]>("COMMAND") { Description = "the command and its arguments, after --", Arity = ArgumentArity.ZeroOrMore };
        var run = new Command("run", "run a job under a lease: vigil run CHECK [options] -- COMMAND [ARGS...]")
        {
            check, ttl, renewEvery, allowOverlap, gate, breaker, every, tailBytes, command,
        };
        Verb.Action(run, async (cli, parse, ct) =>
        {
            var argv = parse.GetValue(command) ?? [];
            if (argv.Length == 0)
            {
                throw new UsageException("give the command to run after --, e.g. vigil run nightly-backup -- /usr/local/bin/backup.sh");
            }

            var tail = parse.GetValue(tailBytes);
            if (tail is < 0 or > 1_000_000)
            {
                throw new UsageException("--tail-bytes must be between 0 and 1000000");
            }

            var options = new JobRunner.Options(
                parse.GetValue(check)!,
                CliParse.OptionalDuration(parse.GetValue(ttl), "--ttl"),
                CliParse.OptionalDuration(parse.GetValue(renewEvery), "--renew-every"),
                parse.GetValue(allowOverlap),
                CliParse.OptionalDuration(parse.GetValue(every), "--every"),
                tail,
                argv)
            {
                Gate = parse.GetValue(gate),
                Breaker = parse.GetValue(breaker),
            };
            return await new JobRunner(cli, TimeProvider.System).RunAsync(options, ct).ConfigureAwait(false);
        });
        return run;
    }
}
