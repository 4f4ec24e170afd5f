using Vigil.Domain.Checks;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>Takes a lease for <paramref name="ttl"/>, or for the check's max_runtime when null.</summary>
    public AcquireResult AcquireLease(string name, TimeSpan? ttl, string holder, Guid? rid, DateTimeOffset? dataTs)
    {
        if (Lookup(name) is not { } e)
        {
            return new AcquireResult(AcquireStatus.NotFound);
        }

        if (e.Definition.Kind != CheckKind.Heartbeat)
        {
            return new AcquireResult(AcquireStatus.NotHeartbeat);
        }

        var now = Now;
        var s = e.State;
        CatchUp(e, now);
        if (s.Status == CheckStatus.Paused)
        {
            // Leases that expired while nobody evaluated the check must not hold its slots forever.
            SettlePausedObligations(e, now);
        }

        if (s.Leases.Count >= e.Definition.Concurrency)
        {
            return new AcquireResult(AcquireStatus.Held, Holders: s.Leases.ToList());
        }

        ObserveDataTs(e, dataTs, now);
        if (s.Status == CheckStatus.Paused && !e.Definition.ManualResume)
        {
            SetStatus(e, CheckStatus.New, "a lease acquire resumed it", now);
        }

        var token = _entropy.NewToken();
        var leaseTtl = ttl ?? e.Definition.EffectiveMaxRuntime;
        var lease = new HeldLease
        {
            Token = token,
            FencingToken = ++s.FencingCounter,
            Holder = holder,
            AcquiredAt = now,
            ExpiresAt = Instants.Add(now, leaseTtl),
            Ttl = leaseTtl,
        };
        if (lease.FencingToken > _fencingHighWater)
        {
            _fencingHighWater = lease.FencingToken;
            _changes.FencingHighWater = _fencingHighWater;
        }

        var run = StartRun(e, rid, holder, token, now);
        lease.Rid = run.Rid;
        s.Leases.Add(lease);
        Record(e, EventTypes.LeaseAcquired, $"lease acquired by {holder} until {Timestamps.Format(lease.ExpiresAt)} (fencing token {lease.FencingToken})", now, run.Rid, dataTs);
        if (s.Status != CheckStatus.Paused)
        {
            // An acquire is the deterministic proof of life: it counts as a success towards recovery.
            s.ConsecutiveFailures = 0;
            s.ConsecutiveSuccesses++;
            lease.CountedAsSuccess = true;
            if (s.Status == CheckStatus.Down && s.ConsecutiveSuccesses >= e.Definition.RecoverAfter)
            {
                GoUp(e, $"lease acquired by {holder}", now);
            }
        }

        Touch(e);
        return new AcquireResult(AcquireStatus.Granted, new LeaseGrant(token, lease.FencingToken, lease.ExpiresAt, run.Rid));
    }

    public RenewResult RenewLease(string name, string token, TimeSpan? ttl, DateTimeOffset? dataTs)
    {
        if (Lookup(name) is not { } e)
        {
            return new RenewResult(LeaseCallStatus.NotFound);
        }

        var now = Now;
        CatchUp(e, now);
        var lease = e.State.Leases.FirstOrDefault(l => l.Token == token);
        if (lease is null)
        {
            return new RenewResult(LeaseCallStatus.Gone);
        }

        if (ttl is { } newTtl)
        {
            lease.Ttl = newTtl;
        }

        lease.ExpiresAt = Instants.Add(now, lease.Ttl);
        ObserveDataTs(e, dataTs, now);
        Record(e, EventTypes.LeaseRenewed, $"renewed by {lease.Holder} until {Timestamps.Format(lease.ExpiresAt)}", now, lease.Rid, dataTs);
        Alive(e, "lease renewed", now);
        Touch(e);
        return new RenewResult(LeaseCallStatus.Ok, lease.ExpiresAt);
    }

    public LeaseCallStatus ReleaseLease(string name, string token, LeaseOutcome outcome, int? exitCode, string? message, string? log,
        bool logTruncated, DateTimeOffset? dataTs)
    {
        if (Lookup(name) is not { } e)
        {
            return LeaseCallStatus.NotFound;
        }

        var now = Now;
        var s = e.State;
        CatchUp(e, now);
        var what = outcome == LeaseOutcome.Success ? "success" : exitCode is { } code ? $"fail (exit status {code})" : "fail";
        var lease = s.Leases.FirstOrDefault(l => l.Token == token);
        if (lease is null)
        {
            // The holder lost its lease; its outcome still matters to whoever reads the history.
            Record(e, EventTypes.LateReport, $"release with outcome {what} for a lease that had expired or was released" +
                (message is null ? "" : $": {message}"), now, null, dataTs, exitCode, log, logTruncated);
            Touch(e);
            return LeaseCallStatus.Gone;
        }

        s.Leases.Remove(lease);
        ObserveDataTs(e, dataTs, now);
        Record(e, EventTypes.LeaseReleased, $"released by {lease.Holder}: {what}" + (message is null ? "" : $": {message}"), now, lease.Rid, dataTs, exitCode, log, logTruncated);
        if (s.OpenRuns.FirstOrDefault(r => r.LeaseToken == token) is { } run)
        {
            EndRun(e, run, outcome == LeaseOutcome.Success ? RunOutcomes.Success : RunOutcomes.Fail, exitCode, message, log, logTruncated, now);
        }

        if (s.Status != CheckStatus.Paused)
        {
            if (outcome == LeaseOutcome.Success)
            {
                Succeed(e, $"lease released with success by {lease.Holder}", now, alreadyCounted: lease.CountedAsSuccess);
            }
            else
            {
                Failed(e, $"lease released with {what} by {lease.Holder}", now);
            }
        }

        Touch(e);
        return LeaseCallStatus.Ok;
    }
}
