using Vigil.Domain.Probes;

namespace Vigil.Probes;

/// <summary>
/// One probe check's measuring half, built once by <see cref="ProbeFactory"/> and run on the check's schedule.
/// Each run is bounded by the probe's timeout and never throws for anything about what it measures: a refused
/// connection, a missing file, a naive timestamp or a run cut at its timeout is an unmeasurable
/// <see cref="Measurement"/> with that reason. Only the caller's own cancellation (shutdown) ends a run with
/// <see cref="OperationCanceledException"/>. Runs of one probe must not overlap (the scheduler does not start
/// a probe still running). Disposing releases what the probe keeps between runs (a Redis or PostgreSQL
/// connection pool).
/// </summary>
public interface IProbe : IAsyncDisposable
{
    /// <summary>The kind (<c>http</c>, <c>sql</c>, …) and what it measures, for logs; never a secret.</summary>
    string Describe { get; }

    Task<Measurement> MeasureAsync(CancellationToken cancellationToken);
}
