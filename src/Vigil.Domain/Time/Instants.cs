namespace Vigil.Domain.Time;

/// <summary>
/// Instant arithmetic that saturates instead of overflowing. A deadline is an instant plus an operator's
/// duration; a duration long enough to pass <see cref="DateTimeOffset.MaxValue"/> means "never", and must
/// never throw inside the writer loop (an overflow there once stopped Vigil while it looked alive).
/// </summary>
public static class Instants
{
    /// <summary><paramref name="instant"/> + <paramref name="duration"/>, clamped to the representable range.</summary>
    public static DateTimeOffset Add(DateTimeOffset instant, TimeSpan duration)
    {
        var ticks = instant.UtcTicks;
        if (duration.Ticks > 0 && ticks > DateTimeOffset.MaxValue.UtcTicks - duration.Ticks)
        {
            return DateTimeOffset.MaxValue;
        }

        if (duration.Ticks < 0 && ticks < DateTimeOffset.MinValue.UtcTicks - duration.Ticks)
        {
            return DateTimeOffset.MinValue;
        }

        return new DateTimeOffset(ticks + duration.Ticks, TimeSpan.Zero);
    }

    /// <summary><paramref name="instant"/> − <paramref name="duration"/>, clamped.</summary>
    public static DateTimeOffset Subtract(DateTimeOffset instant, TimeSpan duration) =>
        duration == TimeSpan.MinValue ? DateTimeOffset.MaxValue : Add(instant, -duration);
}
