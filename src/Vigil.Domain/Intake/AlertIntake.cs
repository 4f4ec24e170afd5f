namespace Vigil.Domain.Intake;

/// <summary>
/// The intake's records in memory, as the store has them: by key, with the ones that may be let go ordered by when
/// they expire (for pruning and, past the limit, eviction of the oldest) and the held-back ones ordered by arrival.
/// Bounded by the evaluator (<see cref="DefaultMaxRecords"/>). Not thread-safe: the writer loop owns it.
/// </summary>
public sealed class AlertIntake
{
    /// <summary>How long an alert state or an Idempotency-Key is remembered. The default value is 7 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>How many records are kept at most; past it the oldest are let go first. The default value is 100,000.</summary>
    public const int DefaultMaxRecords = 100_000;

    private readonly Dictionary<string, IntakeRecord> _byKey = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset At, string Key)> _expiring = new(ByTimeThenKey.Instance);
    private readonly SortedSet<(DateTimeOffset At, string Key)> _held = new(ByTimeThenKey.Instance);

    public int Count => _byKey.Count;

    public int HeldCount => _held.Count;

    /// <summary>When the earliest record that may be let go expires; null when there is none.</summary>
    public DateTimeOffset? NextExpiry => _expiring.Count == 0 ? null : _expiring.Min.At;

    public IntakeRecord? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>Adds or replaces a record; returns the one it replaced.</summary>
    public IntakeRecord? Put(IntakeRecord record)
    {
        var previous = Remove(record.Key);
        _byKey[record.Key] = record;
        if (record.Held is null)
        {
            _expiring.Add((record.ExpiresAt, record.Key));
        }
        else
        {
            _held.Add((record.FirstSeen, record.Key));
        }

        return previous;
    }

    /// <summary>Removes a record; returns it, or null when there was none.</summary>
    public IntakeRecord? Remove(string key)
    {
        if (!_byKey.Remove(key, out var record))
        {
            return null;
        }

        if (record.Held is null)
        {
            _expiring.Remove((record.ExpiresAt, key));
        }
        else
        {
            _held.Remove((record.FirstSeen, key));
        }

        return record;
    }

    /// <summary>Up to <paramref name="max"/> records that may be let go, soonest to expire first.</summary>
    public IReadOnlyList<IntakeRecord> Oldest(int max) => [.. _expiring.Take(max).Select(e => _byKey[e.Key])];

    /// <summary>Up to <paramref name="max"/> records that expired by <paramref name="now"/> and may be let go.</summary>
    public IReadOnlyList<IntakeRecord> Expired(DateTimeOffset now, int max) =>
        [.. _expiring.TakeWhile(e => e.At <= now).Take(max).Select(e => _byKey[e.Key])];

    /// <summary>The records holding a notification back, in the order they arrived.</summary>
    public IReadOnlyList<IntakeRecord> Held() => [.. _held.Select(e => _byKey[e.Key])];

    private sealed class ByTimeThenKey : IComparer<(DateTimeOffset At, string Key)>
    {
        public static readonly ByTimeThenKey Instance = new();

        public int Compare((DateTimeOffset At, string Key) x, (DateTimeOffset At, string Key) y)
        {
            var byTime = x.At.CompareTo(y.At);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
