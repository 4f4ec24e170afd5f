using Vigil.Domain.Probes;

namespace Vigil.Probes;

/// <summary>One probe kind: reads its quantities once. It may throw for the unexpected; <see cref="JudgedProbe"/>
/// turns that, and its timeout, into an unmeasurable reading, and judges the rest.</summary>
internal interface IProbeReader : IAsyncDisposable
{
    /// <summary>A noun phrase for reasons, never a secret: <c>GET https://example.com/health</c>.</summary>
    string Subject { get; }

    Task<ProbeReading> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The reason given when a run is cut at its timeout.</summary>
    string TimedOut(TimeSpan timeout) => $"{Subject} did not finish within {Phrasing.Duration(timeout.TotalSeconds)} (the probe's timeout)";

    ValueTask IAsyncDisposable.DisposeAsync() => ValueTask.CompletedTask;
}
