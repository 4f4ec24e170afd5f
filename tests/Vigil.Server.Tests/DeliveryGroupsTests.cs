using Vigil.Domain.Notifications;
using Vigil.Server.Delivery;

namespace Vigil.Server.Tests;

/// <summary>The rules that make messages of claimed rows, on instants given by the test: group wait and interval,
/// folding when the receiver's pace allows fewer messages than are due, retries as they went.</summary>
public sealed class DeliveryGroupsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryGroup Route0 = new(DeliveryGroup.RouteKey(0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
    private static readonly DeliveryGroup Route1 = new(DeliveryGroup.RouteKey(1), TimeSpan.Zero, TimeSpan.FromSeconds(30));
    private long _seq;

    private OutboxEntry Row(string check, DeliveryGroup group, DateTimeOffset created, int attempts = 0, string? digest = null)
    {
        var id = Guid.NewGuid();
        return new OutboxEntry
        {
            Id = Guid.NewGuid(),
            NotificationId = id,
            Receiver = "hook",
            CreatedAt = created,
            NextAttemptAt = created,
            Attempts = attempts,
            Sequence = ++_seq,
            Group = group,
            Digest = digest,
            Notification = new Notification
            {
                Id = id, Check = check, Alert = "down", State = Notification.Firing, Severity = Domain.Checks.Severity.Critical,
                Reason = "late", At = created,
            },
        };
    }

    private static string[] Checks(DeliveryBatch batch) => [.. batch.Entries.Select(e => e.Notification.Check!)];

    [Fact]
    public void A_new_group_waits_group_wait_from_its_first_row_and_then_goes_as_one_message()
    {
        var groups = new DeliveryGroups();
        groups.Add(Row("a", Route0, T0));
        groups.Add(Row("b", Route0, T0.AddSeconds(4)));

        Assert.Empty(groups.TakeDue(T0.AddSeconds(9), 10, int.MaxValue));
        Assert.Equal(T0.AddSeconds(10), groups.NextDueAt(T0.AddSeconds(9)));

        var batch = Assert.Single(groups.TakeDue(T0.AddSeconds(10), 10, int.MaxValue));
        Assert.Equal(["a", "b"], Checks(batch));
        Assert.StartsWith(DeliveryBatch.DigestPrefix, batch.Key);
        Assert.True(batch.NewDigest);
        Assert.Equal(0, groups.Count);
    }

    [Fact]
    public void After_a_message_the_groups_next_rows_wait_for_group_interval_then_a_quiet_group_starts_anew()
    {
        var groups = new DeliveryGroups();
        groups.Add(Row("a", Route1, T0));
        var first = Assert.Single(groups.TakeDue(T0, 10, int.MaxValue));
        Assert.Equal(first.Entries[0].IdempotencyKey, first.Key);
        Assert.False(first.NewDigest);

        groups.Add(Row("b", Route1, T0.AddSeconds(5)));
        groups.Add(Row("c", Route1, T0.AddSeconds(20)));
        Assert.Empty(groups.TakeDue(T0.AddSeconds(29), 10, int.MaxValue));
        Assert.Equal(T0.AddSeconds(30), groups.NextDueAt(T0.AddSeconds(29)));
        Assert.Equal(["b", "c"], Checks(Assert.Single(groups.TakeDue(T0.AddSeconds(30), 10, int.MaxValue))));

        // A row long after the last message opens a new group: its wait (none here), not the interval.
        groups.Add(Row("d", Route1, T0.AddMinutes(5)));
        Assert.Equal(["d"], Checks(Assert.Single(groups.TakeDue(T0.AddMinutes(5), 10, int.MaxValue))));
    }

    [Fact]
    public void When_the_pace_allows_fewer_messages_than_are_due_every_due_group_is_folded_into_one_digest()
    {
        var ungrouped = new DeliveryGroup(DeliveryGroup.RouteKey(2), TimeSpan.Zero, TimeSpan.Zero);
        var groups = new DeliveryGroups();
        foreach (var check in new[] { "a", "b", "c" })
        {
            groups.Add(Row(check, ungrouped, T0));
        }

        groups.Add(Row("d", Route1, T0));

        // Without a limit, an ungrouped route sends each alone and a grouped one together.
        var free = new DeliveryGroups();
        foreach (var check in new[] { "a", "b", "c" })
        {
            free.Add(Row(check, ungrouped, T0));
        }

        Assert.Equal(3, free.TakeDue(T0, 10, int.MaxValue).Count);

        Assert.Empty(groups.TakeDue(T0, 10, 0));
        var folded = Assert.Single(groups.TakeDue(T0, 10, 1));
        Assert.Equal(["a", "b", "c", "d"], Checks(folded));
        Assert.Equal(0, groups.Count);
    }

    [Fact]
    public void A_full_queue_limits_how_many_go_without_folding_the_rest()
    {
        var ungrouped = new DeliveryGroup(DeliveryGroup.RouteKey(2), TimeSpan.Zero, TimeSpan.Zero);
        var groups = new DeliveryGroups();
        foreach (var check in new[] { "a", "b", "c" })
        {
            groups.Add(Row(check, ungrouped, T0));
        }

        Assert.Equal([["a"], ["b"]], groups.TakeDue(T0, 2, int.MaxValue).Select(Checks));
        Assert.Equal(["c"], Checks(Assert.Single(groups.TakeDue(T0, 2, int.MaxValue))));
    }

    [Fact]
    public void Retries_go_first_as_they_went_and_rows_of_a_digest_keep_its_key()
    {
        var groups = new DeliveryGroups();
        groups.Add(Row("new", Route1, T0));
        groups.Add(Row("x", Route0, T0, attempts: 1, digest: "digest-k"));
        groups.Add(Row("y", Route0, T0, attempts: 1, digest: "digest-k"));
        var alone = Row("z", Route0, T0, attempts: 2);
        groups.Add(alone);

        var batches = groups.TakeDue(T0, 10, int.MaxValue);
        Assert.Equal(3, batches.Count);
        Assert.Equal("digest-k", batches[0].Key);
        Assert.False(batches[0].NewDigest);
        Assert.Equal(["x", "y"], Checks(batches[0]));
        Assert.Equal(alone.IdempotencyKey, batches[1].Key);
        Assert.Equal(["new"], Checks(batches[2]));
    }

    [Fact]
    public void The_same_rows_make_the_same_digest_key()
    {
        var rows = new[] { Row("a", Route0, T0), Row("b", Route0, T0) };
        Assert.Equal(DeliveryBatch.Of(rows).Key, DeliveryBatch.Of([rows[1], rows[0]]).Key);
        Assert.NotEqual(DeliveryBatch.Of(rows).Key, DeliveryBatch.Of([rows[0], Row("c", Route0, T0)]).Key);
    }

    [Fact]
    public void The_rate_gate_allows_its_burst_then_one_message_per_share_of_the_period_and_pauses_on_a_retry_hint()
    {
        var gate = new RateGate(new ReceiverLimit(2, TimeSpan.FromMinutes(1)), T0);
        Assert.Equal(2, gate.Available(T0));
        gate.Take(T0);
        gate.Take(T0);
        Assert.Equal(0, gate.Available(T0));
        Assert.Equal(T0.AddSeconds(30), gate.NextAt(T0));
        Assert.Equal(1, gate.Available(T0.AddSeconds(30)));

        gate.PauseUntil(T0.AddMinutes(5));
        Assert.Equal(0, gate.Available(T0.AddMinutes(4)));
        Assert.Equal(T0.AddMinutes(5), gate.NextAt(T0.AddMinutes(4)));

        // After the pause, one message at a time until nothing waits.
        Assert.Equal(1, gate.Available(T0.AddMinutes(5)));
        gate.Calm(T0.AddMinutes(4));
        Assert.Equal(1, gate.Available(T0.AddMinutes(5)));
        gate.Calm(T0.AddMinutes(5));
        Assert.Equal(2, gate.Available(T0.AddMinutes(5)));

        // Thirty refills of a thirtieth of a token make a whole one.
        var tiny = new RateGate(new ReceiverLimit(1, TimeSpan.FromSeconds(30)), T0);
        tiny.Take(T0);
        for (var i = 1; i <= 30; i++)
        {
            Assert.Equal(i < 30 ? 0 : 1, tiny.Available(T0.AddSeconds(i)));
        }

        var unlimited = new RateGate(null, T0);
        Assert.Equal(int.MaxValue, unlimited.Available(T0));
        unlimited.PauseUntil(T0.AddSeconds(10));
        Assert.Equal(0, unlimited.Available(T0));
        Assert.Null(unlimited.NextAt(T0.AddSeconds(10)));
    }
}
