namespace Vigil.Server.Delivery;

/// <summary>Exponential backoff with full jitter in its upper half, capped; a receiver's own Retry-After wins
/// when it asks for longer. The random source is injected so tests are deterministic.</summary>
internal sealed class Backoff(Random random)
{
    public static readonly TimeSpan Base = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(10);

    public TimeSpan Next(int attempts, TimeSpan? retryAfter)
    {
        var exponent = Math.Min(attempts - 1, 20);
        var ceiling = Math.Min(Base.TotalSeconds * Math.Pow(2, exponent), Max.TotalSeconds);
        double factor;
        lock (random)
        {
            factor = 0.5 + (random.NextDouble() * 0.5);
        }

        var delay = TimeSpan.FromSeconds(ceiling * factor);
        return retryAfter is { } hint && hint > delay ? hint : delay;
    }
}
