using System.Collections.Concurrent;

namespace Vigil.Receivers;

/// <summary>
/// Which parts of a split Telegram message the Bot API already accepted, by receiver and idempotency key, so a retry after a
/// failed later part sends only what is missing. The parts are kept as first rendered, so a retry cannot cut the
/// text differently. Kept in memory only: after a restart a partly sent message is sent again from its first part
/// (at least once, like every delivery). Bounded: the oldest entries go first.
/// </summary>
public sealed class TelegramProgress
{
    public const int DefaultCapacity = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private long _sequence;

    public TelegramProgress(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>The parts of <paramref name="key"/> and how many were accepted; <paramref name="render"/> runs only
    /// for a message not seen before.</summary>
    internal (IReadOnlyList<string> Parts, int Sent) Begin(string key, Func<IReadOnlyList<string>> render)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry(render(), Interlocked.Increment(ref _sequence)));
        Trim();
        return (entry.Parts, entry.Sent);
    }

    internal void Accepted(string key, int sent)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.Sent = sent;
        }
    }

    internal void Done(string key) => _entries.TryRemove(key, out _);

    private void Trim()
    {
        while (_entries.Count > _capacity)
        {
            var oldest = _entries.MinBy(e => e.Value.Order);
            _entries.TryRemove(oldest.Key, out _);
        }
    }

    private sealed class Entry(IReadOnlyList<string> parts, long order)
    {
        public IReadOnlyList<string> Parts { get; } = parts;
        public long Order { get; } = order;
        public volatile int Sent;
    }
}
