using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Gates;
using Vigil.Domain.Security;
using static Vigil.Storage.Tests.StoreSamples;

namespace Vigil.Storage.Tests;

/// <summary>Breakers, gates, the audit log and keys committed in a batch: what a restart must find again.</summary>
public abstract partial class StoreContractTests
{
    private static (BreakerDefinition, BreakerState) HalfOpenBreaker() =>
        (new BreakerDefinition { Name = "exchange", FailureThreshold = null, FailureRate = 0.5, MinCalls = 7, Window = TimeSpan.FromSeconds(90), Severity = Severity.Critical },
         new BreakerState
         {
             Status = BreakerStatus.HalfOpen,
             StatusSince = T0,
             ConsecutiveFailures = 3,
             Buckets = [new CallBucket { Start = T0, Successes = 2, Failures = 5 }],
             OpenedAt = T0.AddMinutes(-5),
             OpenFor = TimeSpan.FromMinutes(2),
             Probes = [new ProbePermit { Token = "abc", Holder = "bot:1", GrantedAt = T0, ExpiresAt = T0.AddSeconds(30) }],
             LastSuccessAt = T0.AddMinutes(-10),
             LastFailureAt = T0.AddMinutes(-5),
             LastError = "502",
             Successes = 12,
             Failures = 9,
             Trips = 2,
             AlertFiring = true,
             AlertSince = T0.AddMinutes(-5),
             AlertReason = "tripped",
         });

    [Fact]
    public async Task Commit_BreakersGatesAuditAndKeys_SurviveReopenExactly()
    {
        var store = await OpenStoreAsync();
        var (definition, state) = HalfOpenBreaker();
        var gate = new GateDefinition { Name = "trading", CheckTags = ["trading"], CheckNames = ["feed"], MaxLevel = Level.Warning, Breakers = ["exchange"], StartClosed = true };
        var kill = new KillSwitch { Engaged = true, Reason = "start_closed", By = "vigil", At = T0 };
        var changes = new Changes();
        changes.Breakers["exchange"] = (definition, state);
        changes.Gates["trading"] = (gate, new GateState { Kill = kill });
        changes.Audit.Add(new AuditEntry { At = T0, Key = "vigil", Action = AuditActions.GateKill, Target = "trading", Reason = "start_closed" });
        changes.Keys.Add(new ApiKey { Name = "bot", Scope = Scope.Ping, Sha256 = new string('a', 64), CreatedAt = T0 });
        await store.CommitAsync(changes, Ct);
        var revoke = new Changes();
        revoke.RevokedKeys.Add(("bot", T0.AddMinutes(1)));
        revoke.Audit.Add(new AuditEntry { At = T0.AddMinutes(1), Key = "admin", Action = AuditActions.KeyRevoke, Target = "bot", Reason = "revoked" });
        await store.CommitAsync(revoke, Ct);
        await store.DisposeAsync();

        var loaded = await (await OpenStoreAsync()).LoadAsync(Ct);

        var (loadedDefinition, loadedState) = Assert.Single(loaded.Breakers);
        Assert.Equal(definition, loadedDefinition);
        Assert.Equivalent(state, loadedState, strict: true);
        var (loadedGate, loadedGateState) = Assert.Single(loaded.Gates);
        Assert.Equal(gate.Name, loadedGate.Name);
        Assert.Equal(gate.CheckTags, loadedGate.CheckTags);
        Assert.Equal(gate.Breakers, loadedGate.Breakers);
        Assert.Equal((gate.MaxLevel, gate.StartClosed), (loadedGate.MaxLevel, loadedGate.StartClosed));
        Assert.Equal(kill, loadedGateState.Kill);
        Assert.Equal(T0.AddMinutes(1), Assert.Single(loaded.Keys).RevokedAt);
    }

    [Fact]
    public async Task Audit_ComesBackNewestFirst_LimitedAndFromSince()
    {
        var store = await OpenStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            var changes = new Changes();
            changes.Audit.Add(new AuditEntry { At = T0.AddMinutes(i), Key = "alice", Action = AuditActions.GateKill, Target = "trading", Reason = $"r{i}" });
            await store.CommitAsync(changes, Ct);
            Assert.True(changes.Audit[0].Id > 0);
        }

        var latest = await store.GetAuditAsync(2, null, Ct);
        var since = await store.GetAuditAsync(100, T0.AddMinutes(3), Ct);

        Assert.Equal(["r4", "r3"], latest.Select(a => a.Reason));
        Assert.Equal(["r4", "r3"], since.Select(a => a.Reason));
        Assert.Equal(("alice", AuditActions.GateKill, "trading", T0.AddMinutes(4)), (latest[0].Key, latest[0].Action, latest[0].Target, latest[0].At));
    }

    [Fact]
    public async Task PruneAudit_RemovesOnlyEntriesOlderThanTheCutoff_OldestFirst_AtMostMaxPerCall()
    {
        var store = await OpenStoreAsync();
        var changes = new Changes();
        // Committed out of time order, so "oldest first" is by at, not by id.
        foreach (var minutes in new[] { 3, 0, 4, 1, 2, 10, 11 })
        {
            changes.Audit.Add(new AuditEntry { At = T0.AddMinutes(minutes), Key = "alice", Action = AuditActions.GateKill, Target = "trading", Reason = $"m{minutes}" });
        }

        await store.CommitAsync(changes, Ct);
        var cutoff = T0.AddMinutes(10);

        var first = await store.PruneAuditAsync(cutoff, 3, Ct);
        var afterFirst = await store.GetAuditAsync(100, null, Ct);
        var second = await store.PruneAuditAsync(cutoff, 3, Ct);
        var third = await store.PruneAuditAsync(cutoff, 3, Ct);
        var left = await store.GetAuditAsync(100, null, Ct);

        Assert.Equal(3, first);
        Assert.Equal(["m11", "m10", "m4", "m3"], afterFirst.Select(a => a.Reason));
        Assert.Equal((2, 0), (second, third));
        Assert.Equal(["m11", "m10"], left.Select(a => a.Reason));
    }

    [Fact]
    public async Task Commit_DeletedBreakerAndGate_VanishFromLoad()
    {
        var store = await OpenStoreAsync();
        var changes = new Changes();
        changes.Breakers["exchange"] = HalfOpenBreaker();
        changes.Gates["trading"] = (new GateDefinition { Name = "trading" }, new GateState());
        await store.CommitAsync(changes, Ct);

        var delete = new Changes();
        delete.DeletedBreakers.Add("exchange");
        delete.DeletedGates.Add("trading");
        await store.CommitAsync(delete, Ct);

        var loaded = await store.LoadAsync(Ct);
        Assert.Empty(loaded.Breakers);
        Assert.Empty(loaded.Gates);
    }
}
