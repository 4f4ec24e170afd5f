namespace Vigil.Client.Tests;

/// <summary>
/// <see cref="VigilLease"/> against a real server. Client and server share one fake clock: the renewal timer is
/// the logic under test, so time moves only when the test says so, and the server judges expiry on the same clock.
/// </summary>
public sealed class VigilLeaseTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    /// <summary>Waits until the lease's loop has armed its <paramref name="count"/>th renewal timer, so moving
    /// the shared clock cannot overtake a renewal still in flight.</summary>
    private static Task ArmedAsync(VigilLease lease, int count, LogRecorder? log = null) =>
        Poll.UntilAsync(() => lease.TimersArmed >= count, $"renewal timer {count} (armed {lease.TimersArmed}) {log?.All}");

    [Fact]
    public async Task Renewal_keeps_the_lease_held_past_twice_its_ttl()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.PutCheckAsync("router");
        var log = new LogRecorder();
        using var client = new VigilClient(server.Options(), log, server.Time);

        var lease = await client.AcquireLeaseAsync("router", Ttl, "router-host:1");
        Assert.True(lease.IsMonitored);
        Assert.Equal(ServerFixture.Epoch + Ttl, lease.ExpiresAt);
        await ArmedAsync(lease, 1);

        for (var elapsed = Step; elapsed <= 2 * Ttl; elapsed += Step)
        {
            server.Advance(Step);
            // Every third of the TTL (10 s) a renewal, then the next timer; never a renewal in between.
            var renewals = (int)(elapsed / (Ttl / 3));
            await ArmedAsync(lease, 1 + renewals, log);
            Assert.Equal(ServerFixture.Epoch + renewals * (Ttl / 3) + Ttl, lease.ExpiresAt);
        }

        Assert.False(lease.Lost.IsCancellationRequested, log.All);
        var check = await server.GetAsync("api/v1/checks/router");
        Assert.Equal("up", check.GetProperty("check").GetProperty("status").GetString());
        var held = Assert.Single(check.GetProperty("leases").EnumerateArray());
        Assert.Equal(lease.FencingToken, held.GetProperty("fencing_token").GetInt64());
        Assert.True(held.GetProperty("expires_at").GetDateTimeOffset() > ServerFixture.Epoch + 2 * Ttl, "the server holds it beyond 2×TTL");

        Assert.True(await lease.ReleaseAsync(LeaseOutcome.Success, exitCode: 0, message: "routed 12 signals"));
        var run = await server.LastRunAsync("router");
        Assert.Equal(lease.Rid, run.GetProperty("rid").GetGuid());
        Assert.Equal("success", run.GetProperty("outcome").GetString());
        Assert.Equal("router-host:1", run.GetProperty("holder").GetString());
        await lease.DisposeAsync();
        Assert.Equal("success", (await server.LastRunAsync("router")).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_lease_revoked_by_max_runtime_cancels_Lost_at_the_next_renewal()
    {
        await using var server = await ServerFixture.StartAsync();
        // Runs under a lease are bounded by an explicit max_runtime: past it Vigil revokes the lease (410).
        await server.PutCheckAsync("bounded", """{"every":"1h","grace":"1h","max_runtime":"20s"}""");
        var log = new LogRecorder();
        using var client = new VigilClient(server.Options(), log, server.Time);
        await using var lease = await client.AcquireLeaseAsync("bounded", Ttl);
        var lostSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lease.Lost.Register(() => lostSeen.TrySetResult());

        await ArmedAsync(lease, 1);
        for (var elapsed = Step; elapsed <= 2 * Ttl && !lease.Lost.IsCancellationRequested; elapsed += Step)
        {
            server.Advance(Step);
            await Poll.UntilAsync(() => lease.Lost.IsCancellationRequested || lease.TimersArmed == 1 + (int)(elapsed / (Ttl / 3)),
                $"a renewal or the loss at {elapsed}");
        }

        Assert.True(lease.Lost.IsCancellationRequested, "the renewal after max_runtime got 410");
        await lostSeen.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains(log.Entries, e => e.EventId == 103 && e.Level == LogLevel.Error && e.Message.Contains("bounded", StringComparison.Ordinal));
        Assert.False(lease.IsReleased, "losing the lease is not a release: the job still reports its outcome");
    }

    [Fact]
    public async Task Deleting_the_check_cancels_Lost()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.PutCheckAsync("ephemeral");
        var log = new LogRecorder();
        using var client = new VigilClient(server.Options(), log, server.Time);
        await using var lease = await client.AcquireLeaseAsync("ephemeral", Ttl);
        await ArmedAsync(lease, 1);

        await server.DeleteCheckAsync("ephemeral");
        server.Advance(Ttl / 3);

        await Poll.UntilAsync(() => lease.Lost.IsCancellationRequested, "Lost to be cancelled once the check is gone");
        Assert.True(log.Has(103), log.All);
    }

    [Fact]
    public async Task Disposing_without_a_release_records_a_failed_run()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.PutCheckAsync("crashy");
        var log = new LogRecorder();
        using var client = new VigilClient(server.Options(), log, server.Time);

        var lease = await client.AcquireLeaseAsync("crashy", Ttl);
        await lease.DisposeAsync();

        Assert.True(lease.IsReleased);
        var run = await server.LastRunAsync("crashy");
        Assert.Equal(lease.Rid, run.GetProperty("rid").GetGuid());
        Assert.Equal("fail", run.GetProperty("outcome").GetString());
        Assert.Contains("without a release", run.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(log.Has(108), log.All);
        Assert.False(lease.Lost.IsCancellationRequested, "a release is not a loss");
    }

    [Fact]
    public async Task A_held_lease_throws_with_its_holders_even_when_failing_open()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.PutCheckAsync("exclusive");
        using var client = new VigilClient(server.Options(failOpen: true), null, server.Time);
        await using var first = await client.AcquireLeaseAsync("exclusive", Ttl, "first-copy:1");

        var held = await Assert.ThrowsAsync<VigilLeaseHeldException>(() => client.AcquireLeaseAsync("exclusive", Ttl, "second-copy:2"));

        Assert.Equal("exclusive", held.Check);
        var holder = Assert.Single(held.Holders);
        Assert.Equal("first-copy:1", holder.Holder);
        Assert.Equal(first.ExpiresAt, holder.ExpiresAt);
        Assert.Contains("first-copy:1", held.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_after_loss_is_recorded_as_a_late_report_and_says_so()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.PutCheckAsync("late", """{"every":"1h","grace":"1h","max_runtime":"10s"}""");
        var log = new LogRecorder();
        using var client = new VigilClient(server.Options(), log, server.Time);
        await using var lease = await client.AcquireLeaseAsync("late", TimeSpan.FromSeconds(60));
        await ArmedAsync(lease, 1);
        server.Advance(Step);
        server.Advance(Step);
        server.Advance(Step);
        // max_runtime (10 s) has passed: Vigil revoked the lease.
        await Poll.UntilAsync(async () => (await server.GetAsync("api/v1/checks/late")).GetProperty("leases").GetArrayLength() == 0,
            "the server to revoke the lease");

        Assert.False(await lease.ReleaseAsync(LeaseOutcome.Success));

        Assert.True(log.Has(105), log.All);
        var events = (await server.GetAsync("api/v1/checks/late/events?limit=50")).GetProperty("events").EnumerateArray();
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "late_report");
    }
}
