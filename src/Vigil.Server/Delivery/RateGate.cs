namespace Vigil.Server.Delivery;

/// <summary>
/// A receiver's own pace: a token bucket for its configured limit (<see cref="ReceiverLimit"/>; a burst of the whole
/// count, then one message every <c>Per / Count</c>), and a pause when the receiver itself said "too many" (a 429 and
/// its Retry-After). After such a pause the receiver is approached carefully: one message at a time (what waits
/// meanwhile is folded into digests) until nothing waits any more. Not thread-safe: the lane locks around it.
/// Time is passed in.
/// </summary>
internal sealed class RateGate
{
    private ReceiverLimit? _limit;
    private double _tokens;
    private DateTimeOffset _refilledAt;
    private DateTimeOffset _pausedUntil;
    private bool _careful;

    // Refills add fractions of a token; a whole token that arrives as 0.9999999 must still count as one.
    private const double Whole = 1 - 1e-9;

    public RateGate(ReceiverLimit? limit, DateTimeOffset now)
    {
        _limit = limit;
        _tokens = limit?.Count ?? 0;
        _refilledAt = now;
    }

    /// <summary>A reload changed the limit: the bucket keeps what it has, capped at the new size.</summary>
    public void Configure(ReceiverLimit? limit)
    {
        if (limit == _limit)
        {
            return;
        }

        _limit = limit;
        _tokens = Math.Min(_tokens, limit?.Count ?? 0);
    }

    /// <summary>How many messages may go now (int.MaxValue without a limit; 0 while paused).</summary>
    public int Available(DateTimeOffset now)
    {
        if (now < _pausedUntil)
        {
            return 0;
        }

        var allowed = int.MaxValue;
        if (_limit is { } limit)
        {
            Refill(limit, now);
            allowed = (int)Math.Floor(_tokens + (1 - Whole));
        }

        return _careful ? Math.Min(allowed, 1) : allowed;
    }

    /// <summary>One message went (or is about to).</summary>
    public void Take(DateTimeOffset now)
    {
        if (_limit is { } limit)
        {
            Refill(limit, now);
            _tokens = Math.Max(0, _tokens - 1);
        }
    }

    /// <summary>The receiver answered "too many" and said when to come back.</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        if (until > _pausedUntil)
        {
            _pausedUntil = until;
        }

        _careful = true;
    }

    /// <summary>Nothing waits for the receiver any more: the care after a pause ends (not during the pause: what fails
    /// now comes back when it is over).</summary>
    public void Calm(DateTimeOffset now)
    {
        if (now >= _pausedUntil)
        {
            _careful = false;
        }
    }

    /// <summary>When the next message may go, if not now.</summary>
    public DateTimeOffset? NextAt(DateTimeOffset now)
    {
        if (Available(now) > 0)
        {
            return null;
        }

        if (now < _pausedUntil)
        {
            return _pausedUntil;
        }

        if (_limit is not { } limit)
        {
            return null;
        }

        var perToken = limit.Per / limit.Count;
        return now + perToken * Math.Max(0, Whole - _tokens);
    }

    private void Refill(ReceiverLimit limit, DateTimeOffset now)
    {
        if (now <= _refilledAt)
        {
            return;
        }

        _tokens = Math.Min(limit.Count, _tokens + (now - _refilledAt) / limit.Per * limit.Count);
        _refilledAt = now;
    }
}
