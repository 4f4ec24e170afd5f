using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Intake;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using static Vigil.Storage.Tests.StoreSamples;

namespace Vigil.Storage.Tests;

/// <summary>
/// What every <see cref="IVigilStore"/> promises, whatever holds the data. A store implementation inherits this
/// class and says how to make a store; each test gets its own empty backing storage, shared by every store the
/// test creates, so "close and open again" and "a second process opens the same data" can be written once.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private readonly List<IVigilStore> _stores = [];

    protected FakeTimeProvider Time { get; } = new(T0);

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, not yet opened store on this test's backing storage.</summary>
    protected abstract IVigilStore CreateStore();

    protected async Task<IVigilStore> OpenStoreAsync()
    {
        var store = CreateStore();
        _stores.Add(store);
        await store.OpenAsync(Ct);
        return store;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Open_NewStorage_IsEmptyAndAnswers()
    {
        var store = await OpenStoreAsync();

        var state = await store.LoadAsync(Ct);
        await store.PingAsync(Ct);

        Assert.Empty(state.Checks);
        Assert.Empty(state.Keys);
        Assert.Null(state.LastAliveAt);
        Assert.Equal((0, null, null), await store.GetOutboxStatsAsync(Ct));
        Assert.Empty(await store.GetEventsAsync("any", 10, null, Ct));
        Assert.Empty(await store.GetRunsAsync("any", 10, Ct));
        Assert.False(string.IsNullOrWhiteSpace(store.Describe()));
    }

    [Fact]
    public async Task Commit_Silences_AreLoadedUntilTheyEnd_AndTheLatestVersionWins()
    {
        var store = await OpenStoreAsync();
        var live = new Domain.Notifications.Silence
        {
            Id = Guid.NewGuid(), Match = new Domain.Notifications.AlertMatcher { Check = "harvest-*", Tags = ["a"], Severity = Severity.Warning },
            StartsAt = Time.GetUtcNow(), EndsAt = Time.GetUtcNow() + TimeSpan.FromHours(2), Reason = "deploy", CreatedBy = "ops", CreatedAt = Time.GetUtcNow(),
        };
        var ending = live with { Id = Guid.NewGuid(), EndsAt = Time.GetUtcNow() + TimeSpan.FromHours(3) };
        var changes = new Changes();
        changes.Silences.Add(live);
        changes.Silences.Add(ending);
        await store.CommitAsync(changes, Ct);
        var expire = new Changes();
        expire.Silences.Add(ending with { ExpiredAt = Time.GetUtcNow() + TimeSpan.FromMinutes(30), ExpiredBy = "ops" });
        await store.CommitAsync(expire, Ct);

        static string Show(Domain.Notifications.Silence s) =>
            $"{s.Id} {s.Match.Check} {string.Join(",", s.Match.Tags)} {s.Match.Severity} {s.StartsAt:O} {s.EndsAt:O} {s.ExpiredAt:O} {s.ExpiredBy} {s.Reason} {s.CreatedBy}";
        var expired = ending with { ExpiredAt = Time.GetUtcNow() + TimeSpan.FromMinutes(30), ExpiredBy = "ops" };
        Assert.Equal([Show(expired), Show(live)], (await store.LoadAsync(Ct)).Silences.OrderBy(s => s.Until).Select(Show));
        Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal([Show(live)], (await store.LoadAsync(Ct)).Silences.Select(Show));
    }

    [Fact]
    public async Task Commit_IntakeRecords_RoundTripInOrderAndHeldNotificationsKeepTheirLabels()
    {
        var store = await OpenStoreAsync();
        var now = Time.GetUtcNow();
        var held = new Domain.Notifications.Notification
        {
            Id = Guid.NewGuid(), Alert = "DiskFull", State = "firing", Severity = Severity.Warning, Reason = "disk /var is 97% full", At = now,
            Since = now - TimeSpan.FromMinutes(5), Tags = ["db"], Labels = new Dictionary<string, string> { ["alertname"] = "DiskFull", ["Instance_Name"] = "db-1" },
        };
        IntakeRecord Record(string key, Domain.Notifications.Notification? hold = null, string? digest = null) =>
            new() { Key = key, FirstSeen = now, ExpiresAt = now + TimeSpan.FromDays(7), Held = hold, Digest = digest };
        var changes = new Changes();
        changes.Intake.Add(new IntakeChange("a", Record("a")));
        changes.Intake.Add(new IntakeChange("gone", Record("gone")));
        changes.Intake.Add(new IntakeChange("gone", null));
        changes.Intake.Add(new IntakeChange("held", Record("held", held)));
        changes.Intake.Add(new IntakeChange("idempotency:k", Record("idempotency:k", digest: "abc")));
        await store.CommitAsync(changes, Ct);
        var release = new Changes();
        release.Intake.Add(new IntakeChange("a", null));
        release.Intake.Add(new IntakeChange("a", Record("a") with { ExpiresAt = now + TimeSpan.FromDays(8) }));
        release.Intake.Add(new IntakeChange("held2", Record("held2", held)));
        release.Intake.Add(new IntakeChange("held2", Record("held2")));
        await store.CommitAsync(release, Ct);

        var loaded = (await store.LoadAsync(Ct)).AlertIntake.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(["a", "held", "held2", "idempotency:k"], loaded.Select(r => r.Key));
        Assert.Equal(now + TimeSpan.FromDays(8), loaded[0].ExpiresAt);
        Assert.Equal(now, loaded[0].FirstSeen);
        Assert.Null(loaded[2].Held);
        Assert.Equal("abc", loaded[3].Digest);
        var back = loaded[1].Held!;
        Assert.Equal(held.Id, back.Id);
        Assert.Equal(held.Since, back.Since);
        Assert.Equal("db-1", back.Labels!["Instance_Name"]);
        Assert.Equal(["db"], back.Tags);
    }

    [Fact]
    public async Task Open_AgainAfterClose_KeepsDataAndDoesNotMigrateAgain()
    {
        var first = await OpenStoreAsync();
        var changes = new Changes();
        var definition = SimpleDefinition("web");
        changes.Checks["web"] = (definition, new CheckState { Status = CheckStatus.Up });
        await first.CommitAsync(changes, Ct);
        await first.DisposeAsync();

        var second = await OpenStoreAsync();
        await second.DisposeAsync();
        var third = await OpenStoreAsync();

        var loaded = Assert.Single((await third.LoadAsync(Ct)).Checks);
        Assert.Equal(definition.Uuid, loaded.Definition.Uuid);
        Assert.Equal(CheckStatus.Up, loaded.State.Status);
    }

    [Fact]
    public async Task Commit_CheckWithEveryFieldSet_RoundTripsExactly()
    {
        var store = await OpenStoreAsync();
        var definition = FullDefinition();
        var state = RichState();
        var changes = new Changes();
        changes.Checks[definition.Name] = (definition, state);

        await store.CommitAsync(changes, Ct);
        var (loadedDefinition, loadedState) = Assert.Single((await CreateOpenedAndLoad()).Checks);

        Assert.Equal(Render(definition), Render(loadedDefinition));
        Assert.Equal(Render(state), Render(loadedState));
        Assert.Equal(definition.Flapping, loadedDefinition.Flapping);
        Assert.Equal(definition.Grace, loadedDefinition.Grace);
        Assert.Equal(["network", "nas"], loadedDefinition.DependsOn);
        Assert.Equal(state.NotBefore, loadedState.NotBefore);
        Assert.Equal(TimeSpan.Zero, loadedState.LastSignalAt!.Value.Offset);
        Assert.Equal(state.Leases[0].Ttl, loadedState.Leases[0].Ttl);
        Assert.True(loadedState.Alerts[AlertKind.Down].Firing);
        Assert.Equal(state.Measurement!.Quantities, loadedState.Measurement!.Quantities);
        Assert.Equal((state.Measurement.At, state.Measurement.Level, state.Measurement.Reason),
            (loadedState.Measurement.At, loadedState.Measurement.Level, loadedState.Measurement.Reason));
        Assert.Equal(state.ProbeInFlight, loadedState.ProbeInFlight);
        Assert.Equal(state.NextProbeAt, loadedState.NextProbeAt);
    }

    [Fact]
    public async Task Commit_ChosenMode_IsLoadedAndALaterChoiceReplacesIt()
    {
        var store = await OpenStoreAsync();
        Assert.Null((await store.LoadAsync(Ct)).Mode);

        await store.CommitAsync(new Changes { ChosenMode = "live" }, Ct);
        Assert.Equal("live", (await store.LoadAsync(Ct)).Mode);

        await store.CommitAsync(new Changes { ChosenMode = "paper", AliveAt = T0 }, Ct);
        await store.CommitAsync(new Changes { AliveAt = T0.AddSeconds(1) }, Ct);
        Assert.Equal("paper", (await CreateOpenedAndLoad()).Mode);
    }

    [Fact]
    public async Task Commit_SameDefinitionAgain_WritesNewStateAndLaterDefinitionChanges()
    {
        var store = await OpenStoreAsync();
        var definition = SimpleDefinition("web");
        await store.CommitAsync(Batch(definition, new CheckState { ConsecutiveSuccesses = 1 }), Ct);
        await store.CommitAsync(Batch(definition, new CheckState { ConsecutiveSuccesses = 2 }), Ct);

        var afterState = Assert.Single((await store.LoadAsync(Ct)).Checks);
        Assert.Equal(2, afterState.State.ConsecutiveSuccesses);

        var changed = definition with { Description = "now described", Grace = TimeSpan.FromMinutes(3) };
        await store.CommitAsync(Batch(changed, new CheckState { ConsecutiveSuccesses = 3 }), Ct);

        var afterChange = Assert.Single((await store.LoadAsync(Ct)).Checks);
        Assert.Equal("now described", afterChange.Definition.Description);
        Assert.Equal(TimeSpan.FromMinutes(3), afterChange.Definition.Grace);
        Assert.Equal(3, afterChange.State.ConsecutiveSuccesses);
    }

    [Fact]
    public async Task Commit_DeletedCheck_VanishesFromLoad()
    {
        var store = await OpenStoreAsync();
        var changes = new Changes();
        changes.Checks["a"] = (SimpleDefinition("a"), new CheckState());
        changes.Checks["b"] = (SimpleDefinition("b"), new CheckState());
        await store.CommitAsync(changes, Ct);

        var delete = new Changes();
        delete.DeletedChecks.Add("a");
        await store.CommitAsync(delete, Ct);

        var remaining = Assert.Single((await CreateOpenedAndLoad()).Checks);
        Assert.Equal("b", remaining.Definition.Name);
    }

    [Fact]
    public async Task Commit_DeleteThenRecreateWithSameUuid_Works()
    {
        var store = await OpenStoreAsync();
        var original = SimpleDefinition("old-name");
        await store.CommitAsync(Batch(original, new CheckState()), Ct);

        var rename = Batch(original with { Name = "new-name" }, new CheckState());
        rename.DeletedChecks.Add("old-name");
        await store.CommitAsync(rename, Ct);

        var loaded = Assert.Single((await store.LoadAsync(Ct)).Checks);
        Assert.Equal(("new-name", original.Uuid), (loaded.Definition.Name, loaded.Definition.Uuid));
    }

    [Fact]
    public async Task Commit_Events_GetIdsAndComeBackNewestFirst()
    {
        var store = await OpenStoreAsync();
        var rid = Guid.NewGuid();
        var full = new CheckEvent
        {
            Check = "job",
            At = T0.AddMinutes(2),
            Type = EventTypes.Fail,
            Reason = "exit 3",
            Rid = rid,
            DataTs = T0.AddMinutes(-1),
            ExitStatus = 3,
            Body = "stack trace…",
            BodyTruncated = true,
            ReportedAt = T0.AddMinutes(1),
        };
        var changes = new Changes();
        changes.Events.Add(Event("job", T0));
        changes.Events.Add(Event("job", T0.AddMinutes(1)));
        changes.Events.Add(Event("other", T0.AddMinutes(1)));
        changes.Events.Add(full);

        await store.CommitAsync(changes, Ct);

        Assert.All(changes.Events, e => Assert.True(e.Id > 0));
        Assert.Equal(changes.Events.Select(e => e.Id).Order(), changes.Events.Select(e => e.Id));

        var events = await store.GetEventsAsync("job", 10, null, Ct);
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1), T0], events.Select(e => e.At));
        Assert.Equal(full, events[0]);

        Assert.Equal([T0.AddMinutes(2)], (await store.GetEventsAsync("job", 1, null, Ct)).Select(e => e.At));
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1)],
            (await store.GetEventsAsync("job", 10, T0.AddMinutes(1), Ct)).Select(e => e.At));
    }

    [Fact]
    public async Task Commit_InstantWithOffset_LoadsAsTheSameInstantInUtc()
    {
        var store = await OpenStoreAsync();
        var local = new DateTimeOffset(2026, 3, 29, 4, 0, 0, TimeSpan.FromHours(2));
        var changes = new Changes();
        changes.Events.Add(Event("job", local));
        changes.AliveAt = local;

        await store.CommitAsync(changes, Ct);

        var loaded = Assert.Single(await store.GetEventsAsync("job", 10, null, Ct)).At;
        Assert.Equal((local.UtcDateTime, TimeSpan.Zero), (loaded.UtcDateTime, loaded.Offset));
        var alive = (await store.LoadAsync(Ct)).LastAliveAt!.Value;
        Assert.Equal((local.UtcDateTime, TimeSpan.Zero), (alive.UtcDateTime, alive.Offset));
    }

    [Fact]
    public async Task Commit_Runs_ComeBackNewestFirstAndOneByRid()
    {
        var store = await OpenStoreAsync();
        var older = new RunRecord { Check = "job", Rid = Guid.NewGuid(), StartedAt = T0, EndedAt = T0.AddMinutes(1), Outcome = RunOutcomes.Success, ExitCode = 0, DurationSeconds = 60 };
        var endedOnly = new RunRecord { Check = "job", Rid = Guid.NewGuid(), EndedAt = T0.AddMinutes(5), Outcome = RunOutcomes.Fail, Log = "no start seen" };
        var open = new RunRecord { Check = "job", Rid = Guid.NewGuid(), StartedAt = T0.AddMinutes(10), Holder = "host-a" };
        var elsewhere = new RunRecord { Check = "other", Rid = Guid.NewGuid(), StartedAt = T0.AddMinutes(20) };
        var changes = new Changes();
        foreach (var run in new[] { older, endedOnly, open, elsewhere })
        {
            changes.Runs[(run.Check, run.Rid)] = run;
        }

        await store.CommitAsync(changes, Ct);

        Assert.Equal([open.Rid, endedOnly.Rid, older.Rid], (await store.GetRunsAsync("job", 10, Ct)).Select(r => r.Rid));
        Assert.Equal([open.Rid], (await store.GetRunsAsync("job", 1, Ct)).Select(r => r.Rid));
        Assert.Equal(older, await store.GetRunAsync("job", older.Rid, Ct));
        Assert.Equal(endedOnly, await store.GetRunAsync("job", endedOnly.Rid, Ct));
        Assert.Null(await store.GetRunAsync("other", older.Rid, Ct));
    }

    [Fact]
    public async Task Commit_LaterRecordOfARunWithNulls_KeepsWhatTheEarlierOneKnew()
    {
        var store = await OpenStoreAsync();
        var rid = Guid.NewGuid();
        var start = new RunRecord { Check = "job", Rid = rid, StartedAt = T0, Holder = "host-a", Log = "starting", LogTruncated = true };
        await store.CommitAsync(Batch(start), Ct);

        var end = new RunRecord { Check = "job", Rid = rid, EndedAt = T0.AddMinutes(2), Outcome = RunOutcomes.Fail, ExitCode = 2, DurationSeconds = 120.5, Message = "boom" };
        await store.CommitAsync(Batch(end), Ct);

        var merged = await store.GetRunAsync("job", rid, Ct);
        Assert.Equal(new RunRecord
        {
            Check = "job",
            Rid = rid,
            StartedAt = T0,
            EndedAt = T0.AddMinutes(2),
            Outcome = RunOutcomes.Fail,
            ExitCode = 2,
            DurationSeconds = 120.5,
            Holder = "host-a",
            Message = "boom",
            Log = "starting",
            LogTruncated = true,
        }, merged);

        await store.CommitAsync(Batch(end with { Log = "final log", LogTruncated = false }), Ct);
        var relogged = await store.GetRunAsync("job", rid, Ct);
        Assert.Equal(("final log", false), (relogged!.Log, relogged.LogTruncated));
    }

    [Fact]
    public async Task Commit_AliveAt_IsLoadedAndLaterOneReplacesIt()
    {
        var store = await OpenStoreAsync();
        await store.CommitAsync(new Changes { AliveAt = T0 }, Ct);
        Assert.Equal(T0, (await store.LoadAsync(Ct)).LastAliveAt);

        await store.CommitAsync(new Changes { AliveAt = T0.AddSeconds(1) }, Ct);
        Assert.Equal(T0.AddSeconds(1), (await CreateOpenedAndLoad()).LastAliveAt);
    }

    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Claim_TakesDueHeadOfLineRowsInOrder_AndNobodyElseGetsThemWhileHeld()
    {
        var store = await OpenStoreAsync();
        var (a1, a2, b1, v1, m1) = (Row("a", "ops", T0), Row("a", "ops", T0), Row("b", "ops", T0.AddMinutes(10)), Row(null, "ops", T0), Row("a", "mail", T0));
        await SeedAsync(store, a1, a2, b1, v1, m1);

        var claim = await store.ClaimOutboxAsync("ops", "A", T0, T0 + Hold, 10, Ct);

        // a2 waits behind a1 (same check), b1 is not due yet, m1 belongs to another receiver.
        Assert.Equal([a1.Id, v1.Id], claim.Entries.Select(e => e.Id));
        Assert.True(claim.Entries[0].Sequence < claim.Entries[1].Sequence);
        Assert.Equal(Render(a1 with { Sequence = claim.Entries[0].Sequence }), Render(claim.Entries[0]));
        Assert.Equal("", claim.Entries[1].CheckKey);
        Assert.Equal(T0 + Hold, claim.NextAt);
        Assert.Empty((await store.ClaimOutboxAsync("ops", "B", T0.AddMinutes(1), T0.AddMinutes(1) + Hold, 10, Ct)).Entries);
        Assert.Equal([m1.Id], (await store.ClaimOutboxAsync("mail", "B", T0, T0 + Hold, 10, Ct)).Entries.Select(e => e.Id));
        Assert.Equal((5, T0, T0), await store.GetOutboxStatsAsync(Ct));
    }

    [Fact]
    public async Task Claim_Max_TakesTheOldestHeadsFirst()
    {
        var store = await OpenStoreAsync();
        var rows = Enumerable.Range(0, 5).Select(i => Row($"c{i}", "ops", T0)).ToArray();
        await SeedAsync(store, rows);

        var first = await store.ClaimOutboxAsync("ops", "A", T0, T0 + Hold, 2, Ct);
        var rest = await store.ClaimOutboxAsync("ops", "A", T0, T0 + Hold, 10, Ct);

        Assert.Equal(rows.Take(2).Select(r => r.Id), first.Entries.Select(e => e.Id));
        Assert.Equal(T0, first.NextAt);
        Assert.Equal(rows.Skip(2).Select(r => r.Id), rest.Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task Marks_FailedRowWaitsForItsRetry_AndHoldsLaterRowsOfItsCheckBehindIt()
    {
        var store = await OpenStoreAsync();
        var (firing, resolved, other) = (Row("job", "ops", T0), Row("job", "ops", T0), Row("web", "ops", T0));
        await SeedAsync(store, firing, resolved, other);
        Assert.Equal([firing.Id, other.Id], (await store.ClaimOutboxAsync("ops", "A", T0, T0 + Hold, 10, Ct)).Entries.Select(e => e.Id));

        await store.CommitAsync(Marks(
            OutboxMark.Failed(firing.Id, "A", T0, 1, T0.AddMinutes(5), "HTTP 503"),
            OutboxMark.Delivered(other.Id, "A", T0, 1)), Ct);

        var early = await store.ClaimOutboxAsync("ops", "B", T0.AddMinutes(1), T0.AddMinutes(1) + Hold, 10, Ct);
        Assert.Empty(early.Entries);
        Assert.Equal(T0.AddMinutes(5), early.NextAt);
        Assert.Equal((2, T0, T0), await store.GetOutboxStatsAsync(Ct));

        var retry = Assert.Single((await store.ClaimOutboxAsync("ops", "B", T0.AddMinutes(5), T0.AddMinutes(5) + Hold, 10, Ct)).Entries);
        Assert.Equal((firing.Id, 1, T0.AddMinutes(5), "HTTP 503"), (retry.Id, retry.Attempts, retry.NextAttemptAt, retry.LastError));

        await store.CommitAsync(Marks(OutboxMark.Delivered(firing.Id, "B", T0.AddMinutes(5), 2)), Ct);

        var next = await store.ClaimOutboxAsync("ops", "B", T0.AddMinutes(5), T0.AddMinutes(5) + Hold, 10, Ct);
        Assert.Equal([resolved.Id], next.Entries.Select(e => e.Id));
        await store.CommitAsync(Marks(OutboxMark.Delivered(resolved.Id, "B", T0.AddMinutes(6), 1)), Ct);
        Assert.Equal((0, null, null), await store.GetOutboxStatsAsync(Ct));
        var after = await store.ClaimOutboxAsync("ops", "B", T0.AddDays(1), T0.AddDays(1) + Hold, 10, Ct);
        Assert.Equal((0, null), (after.Entries.Count, after.NextAt));
    }

    [Fact]
    public async Task Claim_ThatRanOut_CanBeTakenOver_AndTheFirstOwnersFailureNoLongerApplies()
    {
        var store = await OpenStoreAsync();
        var row = Row("job", "ops", T0);
        await SeedAsync(store, row);
        Assert.Single((await store.ClaimOutboxAsync("ops", "A", T0, T0.AddMinutes(1), 10, Ct)).Entries);

        var takeover = await store.ClaimOutboxAsync("ops", "B", T0.AddMinutes(1), T0.AddMinutes(1) + Hold, 10, Ct);
        Assert.Equal([row.Id], takeover.Entries.Select(e => e.Id));

        // A's late failure must not end B's claim: nobody else may take the row while B holds it.
        await store.CommitAsync(Marks(OutboxMark.Failed(row.Id, "A", T0.AddMinutes(1), 1, T0.AddMinutes(1), "timed out"),
            OutboxMark.Released(row.Id, "A", T0.AddMinutes(1))), Ct);
        Assert.Empty((await store.ClaimOutboxAsync("ops", "C", T0.AddMinutes(2), T0.AddMinutes(2) + Hold, 10, Ct)).Entries);

        // B's release ends its claim at once.
        await store.CommitAsync(Marks(OutboxMark.Released(row.Id, "B", T0.AddMinutes(2))), Ct);
        var again = Assert.Single((await store.ClaimOutboxAsync("ops", "C", T0.AddMinutes(2), T0.AddMinutes(2) + Hold, 10, Ct)).Entries);
        Assert.Equal(0, again.Attempts);

        // A delivery is a fact whoever holds the claim: the receiver has it.
        await store.CommitAsync(Marks(OutboxMark.Delivered(row.Id, "A", T0.AddMinutes(2), 1)), Ct);
        Assert.Equal(0, (await store.GetOutboxStatsAsync(Ct)).Pending);
    }

    [Fact]
    public async Task Claim_TwoOwnersOnTheSameDataAtOnce_NeverShareARow()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        var rows = Enumerable.Range(0, 300).Select(i => Row($"c{i % 150}", "ops", T0)).ToArray();
        await SeedAsync(first, rows);

        async Task<List<Guid>> DrainAsync(IVigilStore store, string owner)
        {
            var taken = new List<Guid>();
            for (var round = 0; round < 1000; round++)
            {
                var claim = await store.ClaimOutboxAsync("ops", owner, T0, T0 + Hold, 7, Ct);
                if (claim.Entries.Count == 0 && (claim.NextAt is null || claim.NextAt > T0))
                {
                    break;
                }

                taken.AddRange(claim.Entries.Select(e => e.Id));
                await store.CommitAsync(Marks([.. claim.Entries.Select(e => OutboxMark.Delivered(e.Id, owner, T0, 1))]), Ct);
            }

            return taken;
        }

        var results = await Task.WhenAll(Task.Run(() => DrainAsync(first, "A")), Task.Run(() => DrainAsync(second, "B")));

        var all = results[0].Concat(results[1]).ToList();
        Assert.Equal(rows.Length, all.Count);
        Assert.Equal(rows.Select(r => r.Id).Order(), all.Order());
        Assert.Equal(0, (await first.GetOutboxStatsAsync(Ct)).Pending);
    }

    [Fact]
    public async Task ReleaseAll_EndsEveryLiveClaim()
    {
        var store = await OpenStoreAsync();
        var (a, b) = (Row("a", "ops", T0), Row("b", "mail", T0));
        await SeedAsync(store, a, b);
        await store.ClaimOutboxAsync("ops", "A", T0, T0 + Hold, 10, Ct);
        await store.ClaimOutboxAsync("mail", "A", T0, T0 + Hold, 10, Ct);

        Assert.Equal(2, await store.ReleaseAllOutboxClaimsAsync(Ct));

        Assert.Equal([a.Id], (await store.ClaimOutboxAsync("ops", "B", T0, T0 + Hold, 10, Ct)).Entries.Select(e => e.Id));
        Assert.Equal([b.Id], (await store.ClaimOutboxAsync("mail", "B", T0, T0 + Hold, 10, Ct)).Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task Abandon_ReceiversRows_AreNoLongerPendingOrClaimable_AndDoNotBlockOthers()
    {
        var store = await OpenStoreAsync();
        var (gone1, gone2, kept) = (Row("job", "old-hook", T0), Row("web", "old-hook", T0), Row("job", "ops", T0));
        await SeedAsync(store, gone1, gone2, kept);
        await store.ClaimOutboxAsync("old-hook", "A", T0, T0 + Hold, 1, Ct);
        Assert.Equal(["old-hook", "ops"], await store.GetOutboxReceiversAsync(Ct));

        Assert.Equal(2, await store.AbandonOutboxAsync("old-hook", T0, "receiver 'old-hook' is no longer configured", Ct));

        Assert.Equal(["ops"], await store.GetOutboxReceiversAsync(Ct));
        Assert.Equal(1, (await store.GetOutboxStatsAsync(Ct)).Pending);
        var gone = await store.ClaimOutboxAsync("old-hook", "A", T0.AddDays(1), T0.AddDays(1) + Hold, 10, Ct);
        Assert.Equal((0, null), (gone.Entries.Count, gone.NextAt));
        Assert.Equal([kept.Id], (await store.ClaimOutboxAsync("ops", "A", T0, T0 + Hold, 10, Ct)).Entries.Select(e => e.Id));
        Assert.Equal(0, await store.AbandonOutboxAsync("old-hook", T0, "again", Ct));
    }

    [Fact]
    public async Task Outbox_RowsSurviveReopen()
    {
        var store = await OpenStoreAsync();
        var entry = Row(null, "ops", T0);
        await SeedAsync(store, entry);
        await store.ClaimOutboxAsync("ops", "before-restart", T0, T0 + Hold, 10, Ct);
        await store.DisposeAsync();

        var reopened = await OpenStoreAsync();
        Assert.Empty((await reopened.ClaimOutboxAsync("ops", "after-restart", T0, T0 + Hold, 10, Ct)).Entries);
        await reopened.ReleaseAllOutboxClaimsAsync(Ct);

        var claimed = Assert.Single((await reopened.ClaimOutboxAsync("ops", "after-restart", T0, T0 + Hold, 10, Ct)).Entries);
        Assert.Equal(Render(entry with { Sequence = claimed.Sequence }), Render(claimed));
    }

    [Fact]
    public async Task Keys_SaveUpsertsByNameAndRevokeStampsOnce()
    {
        var store = await OpenStoreAsync();
        var key = new ApiKey { Name = "ci", Scope = Scope.Ping, Sha256 = new string('a', 64), CreatedAt = T0 };
        await store.SaveKeyAsync(key, Ct);
        await store.SaveKeyAsync(key with { Scope = Scope.Write, Sha256 = new string('b', 64) }, Ct);
        var admin = new ApiKey { Name = "admin", Scope = Scope.Admin, Sha256 = new string('c', 64), CreatedAt = T0, FromConfig = true };
        await store.SaveKeyAsync(admin, Ct);

        Assert.True(await store.RevokeKeyAsync("ci", T0.AddHours(1), Ct));
        Assert.True(await store.RevokeKeyAsync("ci", T0.AddHours(2), Ct));
        Assert.False(await store.RevokeKeyAsync("nobody", T0, Ct));

        var keys = (await CreateOpenedAndLoad()).Keys;
        Assert.Equal(
            [admin, key with { Scope = Scope.Write, Sha256 = new string('b', 64), RevokedAt = T0.AddHours(1) }],
            keys.OrderBy(k => k.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Commit_BatchThatBreaksAConstraint_LeavesNothingBehind()
    {
        var store = await OpenStoreAsync();
        var definition = SimpleDefinition("job");
        var note = Notification("job", T0);
        var entry = Outbox(note, "ops", T0, T0);
        var bad = Batch(definition, new CheckState { Status = CheckStatus.Down });
        bad.Events.Add(Event("job", T0));
        bad.Runs[("job", Guid.Empty)] = new RunRecord { Check = "job", Rid = Guid.Empty, StartedAt = T0 };
        bad.Notifications.Add(note);
        bad.Outbox.Add(entry);
        bad.Outbox.Add(entry with { Receiver = "duplicate id" });
        bad.AliveAt = T0;

        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitAsync(bad, Ct));

        var state = await store.LoadAsync(Ct);
        Assert.Empty(state.Checks);
        Assert.Null(state.LastAliveAt);
        Assert.Empty(await store.GetEventsAsync("job", 10, null, Ct));
        Assert.Empty(await store.GetRunsAsync("job", 10, Ct));
        Assert.Equal(0, (await store.GetOutboxStatsAsync(Ct)).Pending);
        Assert.Equal(0, bad.Events[0].Id);

        // The store is still usable, and the same definition is written in full the next time.
        var good = Batch(definition, new CheckState { Status = CheckStatus.Up });
        await store.CommitAsync(good, Ct);
        Assert.Equal(CheckStatus.Up, Assert.Single((await store.LoadAsync(Ct)).Checks).State.Status);
    }

    [Fact]
    public async Task Commit_IsVisibleToASecondStoreOnTheSameData()
    {
        var writer = await OpenStoreAsync();
        var changes = Batch(SimpleDefinition("job"), new CheckState { Status = CheckStatus.Up });
        changes.Events.Add(Event("job", T0));
        changes.AliveAt = T0;

        await writer.CommitAsync(changes, Ct);
        var other = await OpenStoreAsync();

        var state = await other.LoadAsync(Ct);
        Assert.Equal("job", Assert.Single(state.Checks).Definition.Name);
        Assert.Equal(T0, state.LastAliveAt);
        Assert.Single(await other.GetEventsAsync("job", 10, null, Ct));
    }

    [Fact]
    public async Task Claims_AlongsideCommitsFromAnotherThread_AllLand()
    {
        var store = await OpenStoreAsync();
        var entries = Enumerable.Range(0, 200).Select(i => Row("job", $"r{i}", T0)).ToList();
        await SeedAsync(store, [.. entries]);
        var definition = SimpleDefinition("job");

        var commits = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var batch = Batch(definition, new CheckState { ConsecutiveSuccesses = i });
                batch.Events.Add(Event("job", T0.AddSeconds(i)));
                await store.CommitAsync(batch, Ct);
            }
        });
        var claims = Task.Run(async () =>
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var claimed = Assert.Single((await store.ClaimOutboxAsync($"r{i}", "A", T0, T0 + Hold, 10, Ct)).Entries);
                await store.CommitAsync(Marks(i % 2 == 0
                    ? OutboxMark.Delivered(claimed.Id, "A", T0, 1)
                    : OutboxMark.Failed(claimed.Id, "A", T0, 1, T0.AddMinutes(1), "timeout")), Ct);
                await store.GetOutboxStatsAsync(Ct);
            }
        });
        await Task.WhenAll(commits, claims);

        Assert.Equal((100, T0, T0.AddMinutes(1)), await store.GetOutboxStatsAsync(Ct));
        Assert.Equal(200, (await store.GetEventsAsync("job", 1000, null, Ct)).Count);
        Assert.Equal(199, Assert.Single((await store.LoadAsync(Ct)).Checks).State.ConsecutiveSuccesses);
    }

    /// <summary>A row for <paramref name="receiver"/> about a fresh notification of <paramref name="check"/>.</summary>
    private static OutboxEntry Row(string? check, string receiver, DateTimeOffset nextAttemptAt) =>
        Outbox(Notification(check, T0), receiver, T0, nextAttemptAt);

    /// <summary>Writes rows in the order given (their outbox order), each with its notification, in one batch.</summary>
    private static async Task SeedAsync(IVigilStore store, params OutboxEntry[] rows)
    {
        var changes = new Changes();
        foreach (var row in rows)
        {
            changes.Notifications.Add(row.Notification);
            changes.Outbox.Add(row);
        }

        await store.CommitAsync(changes, Ct);
    }

    private static Changes Marks(params OutboxMark[] marks)
    {
        var changes = new Changes();
        changes.OutboxMarks.AddRange(marks);
        return changes;
    }

    private async Task<StoredState> CreateOpenedAndLoad()
    {
        var store = await OpenStoreAsync();
        return await store.LoadAsync(Ct);
    }

    private static Changes Batch(CheckDefinition definition, CheckState state)
    {
        var changes = new Changes();
        changes.Checks[definition.Name] = (definition, state);
        return changes;
    }

    private static Changes Batch(RunRecord run)
    {
        var changes = new Changes();
        changes.Runs[(run.Check, run.Rid)] = run;
        return changes;
    }
}
