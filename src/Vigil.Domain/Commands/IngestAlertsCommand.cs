using Vigil.Domain.Evaluation;
using Vigil.Domain.Intake;

namespace Vigil.Domain.Commands;

/// <summary>
/// Alerts from elsewhere (an Alertmanager webhook delivery), validated at the edge. Each alert state not seen before
/// becomes a notification; the records that make a retry a no-op are written in the same batch.
/// <paramref name="IdempotencyKey"/> is the intake's key for the request's <c>Idempotency-Key</c> header (a hash of
/// it), and <paramref name="PayloadDigest"/> the SHA-256 of the body it came with.
/// </summary>
public sealed record IngestAlertsCommand(IReadOnlyList<IncomingAlert> Alerts, string? IdempotencyKey = null, string? PayloadDigest = null)
    : EvaluatorCommand<IngestResult>
{
    public override string Kind => "alerts_ingest";

    protected internal override IngestResult ApplyTo(Evaluator evaluator) => evaluator.IngestAlerts(this);
}
