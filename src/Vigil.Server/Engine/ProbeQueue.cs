using System.Threading.Channels;
using Vigil.Domain.Evaluation;

namespace Vigil.Server.Engine;

/// <summary>
/// Probe runs waiting for the scheduler, one slot per check. A check is in the ready channel at most once and runs
/// at most once at a time: a request for a check already waiting replaces the waiting one (the newer definition and
/// slot win), and one for a check that is running waits until that run is done. So the queue is bounded by the
/// number of probe checks, and no probe ever runs twice at once, whatever the writer asks for.
/// </summary>
internal sealed class ProbeQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>One check's place in the queue. <see cref="Lane"/> (its built probe) is touched only by the one run of
    /// the check at a time, or by the dispatcher once the check is forgotten and nothing runs.</summary>
    internal sealed class Slot(string check)
    {
        public string Check { get; } = check;
        public ProbeRequest? Pending { get; set; }
        public ProbeRequest? Running { get; set; }
        public bool Queued { get; set; }
        public bool Forgotten { get; set; }
        public ProbeLane? Lane { get; set; }
    }

    /// <summary>Names of checks with work (a run, or a forgotten probe to dispose).</summary>
    public ChannelReader<string> Ready => _ready.Reader;

    /// <summary>Checks with a run waiting or running.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _slots.Values.Count(s => s.Pending is not null || s.Running is not null);
            }
        }
    }

    /// <summary>Called by the writer loop after a commit: never blocks.</summary>
    public void Offer(IEnumerable<ProbeRequest> requests)
    {
        lock (_gate)
        {
            foreach (var request in requests)
            {
                if (!_slots.TryGetValue(request.Check, out var slot))
                {
                    slot = new Slot(request.Check);
                    _slots[request.Check] = slot;
                }

                slot.Forgotten = false;
                slot.Pending = request;
                Enqueue(slot);
            }
        }
    }

    /// <summary>The check was deleted or is no longer a probe: its waiting run is dropped and its probe disposed once
    /// nothing runs it.</summary>
    public void Forget(string check)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(check, out var slot))
            {
                slot.Forgotten = true;
                slot.Pending = null;
                Enqueue(slot);
            }
        }
    }

    /// <summary>The slot of the run of <paramref name="check"/> that is waiting or running, if any: what the API shows as in flight.</summary>
    public DateTimeOffset? InFlightDueAt(string check)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(check, out var slot) ? (slot.Running ?? slot.Pending)?.DueAt : null;
        }
    }

    public bool Knows(string check)
    {
        lock (_gate)
        {
            return _slots.ContainsKey(check);
        }
    }

    /// <summary>Takes a ready check's work: its run (now marked running), or, for a forgotten check, its probe to dispose
    /// (the slot is removed). Null when there is nothing to do (a request superseded while waiting).</summary>
    public (ProbeRequest? Run, Slot? Slot, ProbeLane? Dispose) Take(string check)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(check, out var slot))
            {
                return (null, null, null);
            }

            slot.Queued = false;
            if (slot.Running is not null)
            {
                return (null, null, null);
            }

            if (slot.Forgotten)
            {
                _slots.Remove(check);
                return (null, null, slot.Lane);
            }

            if (slot.Pending is not { } request)
            {
                return (null, null, null);
            }

            slot.Pending = null;
            slot.Running = request;
            return (request, slot, null);
        }
    }

    /// <summary>The run of <paramref name="slot"/> is over (its result handed to the writer, or given up): a request that
    /// arrived meanwhile, or a forget, is queued now.</summary>
    public void Done(Slot slot)
    {
        lock (_gate)
        {
            slot.Running = null;
            if (slot.Pending is not null || slot.Forgotten)
            {
                Enqueue(slot);
            }
        }
    }

    /// <summary>After the dispatcher failed: <paramref name="held"/>, the name it had read from the channel and not yet taken,
    /// and every slot with work that is neither queued nor running are queued again, so nothing waits forever.
    /// O(checks), on a rare event.</summary>
    public int Recover(string? held)
    {
        lock (_gate)
        {
            if (held is not null && _slots.TryGetValue(held, out var lost))
            {
                lost.Queued = false;
            }

            var requeued = 0;
            foreach (var slot in _slots.Values)
            {
                if (!slot.Queued && slot.Running is null && (slot.Pending is not null || slot.Forgotten))
                {
                    Enqueue(slot);
                    requeued++;
                }
            }

            return requeued;
        }
    }

    private void Enqueue(Slot slot)
    {
        if (!slot.Queued && slot.Running is null)
        {
            slot.Queued = true;
            _ready.Writer.TryWrite(slot.Check);
        }
    }
}
