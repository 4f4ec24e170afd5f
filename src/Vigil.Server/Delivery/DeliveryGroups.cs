using Vigil.Domain.Notifications;

namespace Vigil.Server.Delivery;

/// <summary>
/// The claimed rows of one receiver waiting for their group to be sent, and the rule that makes messages of them:
/// a new group waits <see cref="DeliveryGroup.Wait"/> from its first row; after a message, the group's next rows
/// wait until <see cref="DeliveryGroup.Interval"/> after it; a group's due rows go in one message. When the
/// receiver's pace allows fewer messages than there are due, every due group is folded into one digest:
/// what exceeds a limit waits and joins the next digest, it is never dropped. Rows that were already attempted go
/// again as they went (alone, or with their digest), first. Not thread-safe: the lane locks around it.
/// </summary>
internal sealed class DeliveryGroups
{
    private readonly Dictionary<string, List<OutboxEntry>> _waiting = new(StringComparer.Ordinal);
    private readonly List<OutboxEntry> _retries = [];

    // When each group last had a message: one entry per route key (bounded by the config's routes).
    private readonly Dictionary<string, DateTimeOffset> _lastSent = new(StringComparer.Ordinal);

    public int Count => _retries.Count + _waiting.Values.Sum(rows => rows.Count);

    public void Add(OutboxEntry entry)
    {
        if (entry.Attempts > 0 || entry.Digest is not null)
        {
            _retries.Add(entry);
            return;
        }

        if (!_waiting.TryGetValue(entry.Group.Key, out var rows))
        {
            _waiting[entry.Group.Key] = rows = [];
        }

        rows.Add(entry);
    }

    /// <summary>Takes the messages that may go now: at most <paramref name="room"/> (the lane's queue), and at most
    /// <paramref name="pace"/> (the receiver's limit) — when the pace allows fewer messages than are due, the due
    /// groups go as one digest instead.</summary>
    public IReadOnlyList<DeliveryBatch> TakeDue(DateTimeOffset now, int room, int pace)
    {
        var batches = new List<DeliveryBatch>();
        var left = Math.Min(room, pace);
        foreach (var retry in _retries.GroupBy(e => e.Digest ?? e.IdempotencyKey).OrderBy(g => g.Min(e => e.Sequence)))
        {
            if (batches.Count >= left)
            {
                break;
            }

            batches.Add(DeliveryBatch.Of([.. retry]));
        }

        foreach (var entry in batches.SelectMany(b => b.Entries))
        {
            _retries.Remove(entry);
        }

        left -= batches.Count;
        var due = _waiting.Where(g => g.Value.Count > 0).Select(g => (Group: g, At: DueAt(g.Key, g.Value)))
            .Where(g => g.At <= now).OrderBy(g => g.At).Select(g => g.Group).ToList();
        if (left <= 0 || due.Count == 0)
        {
            return batches;
        }

        // A group goes as one message; a route that does not group (no wait, no interval) sends each alert alone.
        var messages = due.SelectMany(g => Ungrouped(g.Value[^1].Group) ? g.Value.Select(e => (g.Key, Rows: new List<OutboxEntry> { e })) : [(g.Key, Rows: [.. g.Value])]).ToList();
        if (messages.Count > pace - batches.Count)
        {
            // The receiver may not be sent that many messages now: one digest of everything due.
            messages = [(due[0].Key, [.. due.SelectMany(g => g.Value)])];
        }

        foreach (var (key, rows) in messages.Take(left))
        {
            batches.Add(DeliveryBatch.Of(rows));
            foreach (var entry in rows)
            {
                _waiting[entry.Group.Key].Remove(entry);
            }

            _lastSent[key] = now;
        }

        foreach (var key in due.Select(g => g.Key).Where(k => _waiting[k].Count == 0))
        {
            _waiting.Remove(key);
        }

        return batches;
    }

    private static bool Ungrouped(DeliveryGroup group) => group.Wait == TimeSpan.Zero && group.Interval == TimeSpan.Zero;

    /// <summary>When the next message is due (now when a retry waits), or null when nothing waits.</summary>
    public DateTimeOffset? NextDueAt(DateTimeOffset now)
    {
        if (_retries.Count > 0)
        {
            return now;
        }

        DateTimeOffset? next = null;
        foreach (var (key, rows) in _waiting)
        {
            if (rows.Count > 0 && DueAt(key, rows) is var at && (next is null || at < next))
            {
                next = at;
            }
        }

        return next;
    }

    /// <summary>Forgets rows (the lane gave their claims back).</summary>
    public void Remove(IReadOnlySet<Guid> rows)
    {
        _retries.RemoveAll(e => rows.Contains(e.Id));
        foreach (var group in _waiting.Values)
        {
            group.RemoveAll(e => rows.Contains(e.Id));
        }
    }

    private DateTimeOffset DueAt(string key, List<OutboxEntry> rows)
    {
        // The timing of the group's newest row: a reload that changed the route's timing applies from its next row on.
        var group = rows[^1].Group;
        if (group.Interval > TimeSpan.Zero && _lastSent.TryGetValue(key, out var last) && last + group.Interval > rows.Min(e => e.CreatedAt))
        {
            return last + group.Interval;
        }

        return rows.Min(e => e.CreatedAt) + group.Wait;
    }
}
