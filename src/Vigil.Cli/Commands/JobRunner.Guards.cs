using Vigil.Client;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil run --gate</c> and <c>--breaker</c>: asked before the lease. A closed gate, or one that cannot
/// be asked (a gate fails closed), and a refused breaker mean exit 75 and the command never starts. A breaker that
/// cannot be asked lets the command run (breakers fail open: monitoring never stops a job by itself).</summary>
internal sealed partial class JobRunner
{
    private async Task<(bool Run, BreakerPermit? Permit)> AskGuardsAsync(Options o, VigilClient client, CancellationToken ct)
    {
        if (o.Gate is { } gateName)
        {
            GateInfo gate;
            try
            {
                gate = await client.GetGateAsync(gateName, ct: ct).ConfigureAwait(false);
            }
            catch (VigilApiException ex)
            {
                await Console.Error.WriteLineAsync($"vigil: not running: the gate '{gateName}' could not be asked ({ex.Message})").ConfigureAwait(false);
                return (false, null);
            }

            if (!gate.Open)
            {
                await Console.Error.WriteLineAsync($"vigil: not running: the gate '{gateName}' is {gate}").ConfigureAwait(false);
                return (false, null);
            }
        }

        if (o.Breaker is not { } breakerName)
        {
            return (true, null);
        }

        BreakerPermit permit;
        try
        {
            permit = await client.Breaker(breakerName).PermitAsync(CliContext.ThisProcessAsHolder, failOpen: true, ct).ConfigureAwait(false);
        }
        catch (VigilApiException ex)
        {
            cli.Info($"vigil: could not ask the breaker '{breakerName}' ({ex.Message}); running anyway");
            return (true, null);
        }

        if (!permit.Allowed)
        {
            var retry = permit.RetryAfter is { } r ? $"; retry in {Math.Ceiling(r.TotalSeconds)}s" : "";
            await Console.Error.WriteLineAsync($"vigil: not running: the breaker '{breakerName}' refused ({permit.State}{retry})").ConfigureAwait(false);
            return (false, null);
        }

        if (permit.Unreachable)
        {
            cli.Info($"vigil: the breaker '{breakerName}' could not be asked (Vigil unreachable); running anyway");
        }

        return (true, permit);
    }

    private async Task ReportToBreakerAsync(Options o, VigilClient client, BreakerPermit? permit, int exitCode, string? failure)
    {
        if (o.Breaker is not { } name || permit is null || permit.Unreachable)
        {
            return;
        }

        try
        {
            var recorded = await client.Breaker(name).ReportAsync(exitCode == 0 ? BreakerOutcome.Success : BreakerOutcome.Failure, permit.ProbeToken,
                exitCode == 0 ? null : failure ?? $"exit status {exitCode}", CancellationToken.None).ConfigureAwait(false);
            if (!recorded)
            {
                cli.Info($"vigil: the probe permit of breaker '{name}' had expired; the outcome changed nothing");
            }
        }
        catch (Exception ex) when (ex is VigilUnreachableException or VigilApiException)
        {
            cli.Info($"vigil: could not report to the breaker '{name}': {ex.Message}");
        }
    }
}
