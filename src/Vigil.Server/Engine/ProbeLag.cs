namespace Vigil.Server.Engine;

/// <summary>
/// How late probe runs start (actual start minus the instant they were due), over a recent window: the
/// scheduler's health. A fixed ring of the latest samples, so memory is bounded whatever the probe rate; a
/// percentile sorts a copy of the window, which a health request can afford and a probe run never pays for.
/// </summary>
internal sealed class ProbeLag
{
    /// <summary>Samples kept (2 MiB). The value is 131,072: a minute of runs at 2,000 probes/s.</summary>
    public const int Capacity = 131_072;

    private readonly Lock _gate = new();
    private readonly long[] _at = new long[Capacity];
    private readonly double[] _lagMs = new double[Capacity];
    private long _count;

    public void Record(DateTimeOffset startedAt, TimeSpan lag)
    {
        lock (_gate)
        {
            var i = (int)(_count % Capacity);
            _at[i] = startedAt.UtcTicks;
            _lagMs[i] = Math.Max(0, lag.TotalMilliseconds);
            _count++;
        }
    }

    /// <summary>Runs started since <paramref name="since"/> (within the ring), with the 50th and 99th percentile and the
    /// largest lag in milliseconds; zeros when none.</summary>
    public LagFigures Since(DateTimeOffset since)
    {
        double[] window;
        lock (_gate)
        {
            var kept = (int)Math.Min(_count, Capacity);
            var list = new List<double>(kept);
            for (var i = 0; i < kept; i++)
            {
                if (_at[i] >= since.UtcTicks)
                {
                    list.Add(_lagMs[i]);
                }
            }

            window = [.. list];
        }

        if (window.Length == 0)
        {
            return new LagFigures(0, 0, 0, 0);
        }

        Array.Sort(window);
        return new LagFigures(window.Length, Percentile(window, 0.50), Percentile(window, 0.99), window[^1]);
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="p"/> of the samples at or below it.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

internal sealed record LagFigures(int Runs, double P50Ms, double P99Ms, double MaxMs);
