namespace Vigil.Server.Engine;

/// <summary>
/// Wakes delivery lanes: the writer loop when it committed new outbox rows, the dispatcher when outcomes of a
/// lane were recorded. A lane asks for <see cref="Next"/> before it looks at the outbox and waits on it after,
/// so a wake that comes while it is looking is never lost. Every lane waiting for a receiver is woken, so
/// several dispatchers may share one signal.
/// </summary>
internal sealed class OutboxSignal
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskCompletionSource> _next = new(StringComparer.Ordinal);

    /// <summary>Wakes every lane (new rows were committed, for whichever receivers).</summary>
    public void Wake()
    {
        List<TaskCompletionSource> woken;
        lock (_lock)
        {
            woken = [.. _next.Values];
            _next.Clear();
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Wakes the lanes of one receiver.</summary>
    public void Wake(string receiver)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _next.Remove(receiver, out waiter);
        }

        waiter?.TrySetResult();
    }

    /// <summary>A task that completes at the first wake of <paramref name="receiver"/> after this call.</summary>
    public Task Next(string receiver)
    {
        lock (_lock)
        {
            if (!_next.TryGetValue(receiver, out var waiter))
            {
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _next[receiver] = waiter;
            }

            return waiter.Task;
        }
    }
}
