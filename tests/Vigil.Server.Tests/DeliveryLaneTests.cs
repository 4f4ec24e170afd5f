using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using Vigil.Domain.Notifications;
using Vigil.Receivers;
using Vigil.Server.Delivery;
using Vigil.Server.Engine;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Storage.Sqlite;

namespace Vigil.Server.Tests;

/// <summary>The outbox is delivered in one lane per receiver: a bad receiver delays only itself, one check's
/// notifications arrive in order, claims keep two dispatchers apart, outcomes are recorded in batches.</summary>
public sealed class DeliveryLaneTests(ITestOutputHelper output)
{
    private static Func<ServerSettings, ServerSettings> Receivers(params FakeWebhook[] hooks) => Receivers(hooks.Select((h, i) => ($"hook{i}", h)).ToArray());

    private static Func<ServerSettings, ServerSettings> Receivers(params (string Name, FakeWebhook Hook)[] hooks) => s => s with
    {
        Receivers = [.. hooks.Select(h => new ReceiverSettings(h.Name, "webhook", Url: h.Hook.Url))],
        Routes = [new Route { Receivers = [.. hooks.Select(h => h.Name)] }],
    };

    private static bool Is(ReceivedRequest r, string check, string state) =>
        r.Json.GetProperty("check").GetProperty("name").GetString() == check && r.Json.GetProperty("state").GetString() == state;

    private static async Task<Guid> CheckAsync(VigilHost host, string name)
    {
        await host.PutCheckAsync(name, """{"every":"1h"}""");
        return await host.UuidOfAsync(name);
    }

    private static async Task PingAsync(VigilHost host, Guid uuid, string suffix = "")
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}{suffix}");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_hanging_receiver_does_not_delay_another_receivers_deliveries()
    {
        await using var slow = await FakeWebhook.StartAsync();
        await using var fast = await FakeWebhook.StartAsync();
        slow.Hang = true;
        await using var host = await VigilHost.StartAsync(Receivers(slow, fast));
        var (a, b) = (await CheckAsync(host, "a"), await CheckAsync(host, "b"));

        await PingAsync(host, a, "/fail");
        await Poll.UntilAsync(() => slow.InFlight == 1 && fast.Accepted.Any(r => Is(r, "a", "firing")), "a's firing is hanging at one receiver and delivered to the other");

        // A new notification while the slow receiver still holds the first one (its timeout is 10 s).
        await PingAsync(host, b, "/fail");
        await Poll.UntilAsync(() => fast.Accepted.Any(r => Is(r, "b", "firing")), TimeSpan.FromSeconds(5), "b's firing at the fast receiver");

        Assert.Equal(0, slow.Finished);
        Assert.Equal(2, fast.All.Count);
    }

    [Fact]
    public async Task A_resolved_is_delivered_only_after_its_firing_even_while_the_firing_is_retried()
    {
        await using var hook = await FakeWebhook.StartAsync();
        hook.AnswerWith = 500;
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var job = await CheckAsync(host, "job");
        await PingAsync(host, job, "/fail");
        await Poll.UntilAsync(() => host.Logs.All.Contains("Delivery to hook failed (attempt 1)", StringComparison.Ordinal), "the firing's first attempt failed");

        hook.AnswerWith = 200;
        await PingAsync(host, job);
        await host.DeliveriesIdleAsync();

        // The resolved is owed and the receiver is up, but its firing is waiting for its retry: it waits too.
        Assert.Single(hook.All);
        Assert.False(await host.OutboxEmptyAsync());

        await host.AdvanceAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.Accepted.Count == 2, "the firing and then the resolved were delivered");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");

        var all = hook.All;
        Assert.Equal(3, all.Count);
        Assert.True(Is(all[0], "job", "firing") && all[0].AnsweredWith == 500, all[0].Body);
        Assert.True(Is(all[1], "job", "firing") && all[1].AnsweredWith == 200, all[1].Body);
        Assert.True(Is(all[2], "job", "resolved"), all[2].Body);
        Assert.Equal(all[0].Header("Idempotency-Key"), all[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task Two_dispatchers_on_one_store_deliver_each_row_exactly_once()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var uuids = new List<Guid>();
        // More rows than one lane holds (64), so the second dispatcher has rows to claim whoever claims first.
        for (var i = 0; i < 80; i++)
        {
            uuids.Add(await CheckAsync(host, $"job-{i}"));
        }

        // A second instance: its own store connection on the same file, its own owner id, the same receivers;
        // its outcomes go through the writer of the first (the same file).
        var services = host.Server.Services;
        var store = new SqliteStore(host.Settings.EffectiveSqlitePath, host.Time);
        await store.OpenAsync(CancellationToken.None);
        var second = new OutboxDispatcher(store, services.GetRequiredService<ReceiverRegistry>(), host.Loop, new Backoff(new Random(7)),
            services.GetRequiredService<OutboxSignal>(), host.Time, new DispatcherOptions { Owner = "second-instance" },
            services.GetRequiredService<ILogger<OutboxDispatcher>>());
        await second.StartAsync(CancellationToken.None);
        try
        {
            hook.CloseGate();
            await Task.WhenAll(uuids.Select(u => PingAsync(host, u, "/fail")));

            // One dispatcher has at most 8 deliveries in flight to a receiver: more at once means both are delivering.
            await Poll.UntilAsync(() => hook.InFlight > DispatcherOptions.DefaultMaxInFlight, "both dispatchers delivering at once");
            hook.OpenGate();
            await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
            await host.DeliveriesIdleAsync();
            using (var timeout = new CancellationTokenSource(Poll.DefaultTimeout))
            {
                await second.WaitIdleAsync(timeout.Token);
            }

            var keys = hook.All.Select(r => r.Header("Idempotency-Key")).ToList();
            Assert.Equal(80, keys.Count);
            Assert.Equal(80, keys.Distinct().Count());
            Assert.All(hook.All, r => Assert.Equal(200, r.AnsweredWith));
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            second.Dispose();
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Many_deliveries_are_recorded_through_the_writer_in_a_few_transactions()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var uuids = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            uuids.Add(await CheckAsync(host, $"job-{i}"));
        }

        hook.CloseGate();
        await Task.WhenAll(uuids.Select(u => PingAsync(host, u, "/fail")));
        await Poll.UntilAsync(() => hook.InFlight == DispatcherOptions.DefaultMaxInFlight, "the lane is full");
        var before = host.Store.Commits;

        hook.OpenGate();
        await Poll.UntilAsync(() => hook.Accepted.Count == 40, "every row was delivered");
        await host.DeliveriesIdleAsync();

        // Nothing but the outcomes is committed meanwhile (the fake clock stands still): one transaction per row
        // would be 40; the writer's batches take several at once.
        var commits = host.Store.Commits - before;
        output.WriteLine($"40 outcomes were recorded in {commits} transactions");
        Assert.True(commits <= 15, $"40 outcomes took {commits} transactions");
        Assert.True(await host.OutboxEmptyAsync(), "every outcome is recorded once the lanes are idle");
        Assert.Equal(DispatcherOptions.DefaultMaxInFlight, hook.MaxInFlight);
    }

    [Fact]
    public async Task A_backlog_is_claimed_in_a_few_large_claims_rather_than_a_few_rows_at_a_time()
    {
        const int rows = 300;
        await using var hook = await FakeWebhook.StartAsync();
        FaultyStore? store = null;
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook), options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        var uuids = new List<Guid>();
        for (var i = 0; i < rows; i++)
        {
            uuids.Add(await CheckAsync(host, $"job-{i}"));
        }

        hook.CloseGate();
        await Task.WhenAll(uuids.Select(u => PingAsync(host, u, "/fail")));
        var held = DispatcherOptions.DefaultMaxInFlight + DispatcherOptions.DefaultQueue;
        await Poll.UntilAsync(() => hook.InFlight == DispatcherOptions.DefaultMaxInFlight && store!.Claims.Sum(c => c.Got) == held, "the lane is full");
        var before = store!.Claims.Count;

        // Answers one by one, so outcomes are recorded one by one and room frees up a row at a time.
        hook.AnswerOneByOneAfter = TimeSpan.FromMilliseconds(3);
        hook.OpenGate();
        await Poll.UntilAsync(() => hook.Accepted.Count == rows, "every row was delivered");
        await host.DeliveriesIdleAsync();

        // The lane held 64 of the 300 when the receiver came back; the other 236 are claimed as room frees up. Refilled
        // as each outcome was recorded, they took a claim, a transaction of its own, per row or two.
        var claims = store.Claims.Skip(before).Where(c => c.Got > 0).ToList();
        output.WriteLine($"{rows - held} rows in {claims.Count} claims: {string.Join(", ", claims.Select(c => c.Got))}");
        Assert.Equal(rows - held, claims.Sum(c => c.Got));
        Assert.True(claims.Count <= 12, $"{claims.Count} claims: {string.Join(", ", claims.Select(c => c.Got))}");
        Assert.True(await host.OutboxEmptyAsync());
    }

    [Fact]
    public async Task An_unrouted_notification_is_recorded_as_an_event_and_logged()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => s with
        {
            Receivers = [new ReceiverSettings("hook", "webhook", Url: hook.Url)],
            Routes = [new Route { MatchCheck = "routed", Receivers = ["hook"] }],
        });
        var lonely = await CheckAsync(host, "lonely");

        await PingAsync(host, lonely, "/fail");

        var events = (await host.GetJsonAsync("api/v1/checks/lonely/events")).GetProperty("events").EnumerateArray().ToList();
        var unrouted = Assert.Single(events, e => e.GetProperty("type").GetString() == "notification_unrouted");
        Assert.Equal("no route sends the down firing notification to a receiver", unrouted.GetProperty("reason").GetString());
        Assert.Contains("Warning Vigil.Server.Engine.EvaluatorLoop: No route sends the down firing notification for lonely", host.Logs.All, StringComparison.Ordinal);
        await host.DeliveriesIdleAsync();
        Assert.Empty(hook.All);
    }

    [Fact]
    public async Task A_receiver_removed_by_a_reload_has_its_pending_rows_abandoned_and_no_longer_retried()
    {
        await using var keep = await FakeWebhook.StartAsync();
        await using var gone = await FakeWebhook.StartAsync();
        gone.AnswerWith = 500;
        await using var host = await VigilHost.StartAsync(Receivers(("keep", keep), ("gone", gone)));
        var job = await CheckAsync(host, "job");
        await PingAsync(host, job, "/fail");
        await Poll.UntilAsync(() => host.Logs.All.Contains("Delivery to gone failed (attempt 1)", StringComparison.Ordinal), "the first attempt at 'gone' failed");
        await host.DeliveriesIdleAsync();
        Assert.False(await host.OutboxEmptyAsync());

        await host.Server.ReloadAsync(Receivers(("keep", keep))(host.Settings));

        Assert.Contains("Receiver gone is no longer configured: 1 pending notification(s) to it were abandoned", host.Logs.All, StringComparison.Ordinal);
        Assert.True(await host.OutboxEmptyAsync(), "the abandoned row no longer counts as pending after the reload");
        Assert.Equal(("abandoned", "receiver 'gone' is no longer configured"), await RowOfAsync(host, "gone"));

        gone.AnswerWith = 200;
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        await host.DeliveriesIdleAsync();
        Assert.Single(gone.All);

        // The remaining receiver still gets what follows.
        await PingAsync(host, job);
        await Poll.UntilAsync(() => keep.Accepted.Any(r => Is(r, "job", "resolved")), "the resolved at the receiver that stayed");
        await host.DeliveriesIdleAsync();
        Assert.Single(gone.All);
    }

    [Fact]
    public async Task A_receiver_gone_from_the_config_at_start_has_its_pending_rows_abandoned()
    {
        using var dir = new TempDir();
        await using var keep = await FakeWebhook.StartAsync();
        await using var gone = await FakeWebhook.StartAsync();
        gone.AnswerWith = 500;
        await using (var first = await VigilHost.StartAsync(Receivers(("keep", keep), ("gone", gone)), dir))
        {
            await PingAsync(first, await CheckAsync(first, "job"), "/fail");
            await Poll.UntilAsync(() => first.Logs.All.Contains("Delivery to gone failed (attempt 1)", StringComparison.Ordinal), "the first attempt at 'gone' failed");
            await first.DeliveriesIdleAsync();
            Assert.False(await first.OutboxEmptyAsync());
        }

        await using var second = await VigilHost.StartAsync(Receivers(("keep", keep)), dir);

        await Poll.UntilAsync(() => second.Logs.All.Contains("Receiver gone is no longer configured: 1 pending notification(s)", StringComparison.Ordinal), "the abandonment is logged");
        Assert.True(await second.OutboxEmptyAsync(), "the abandoned row no longer counts as pending after the start");
        gone.AnswerWith = 200;
        await second.AdvanceAsync(TimeSpan.FromMinutes(1));
        await second.DeliveriesIdleAsync();
        Assert.Single(gone.All);
    }

    [Fact]
    public async Task A_lane_whose_receiver_throws_restarts_and_other_lanes_are_unaffected()
    {
        await using var flaky = await FakeWebhook.StartAsync();
        await using var steady = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(Receivers(("flaky", flaky), ("steady", steady)),
            wrapReceiver: r => r.Name == "flaky" ? new ThrowsOnce(r) : r);
        var (a, b) = (await CheckAsync(host, "a"), await CheckAsync(host, "b"));

        await PingAsync(host, a, "/fail");
        await Poll.UntilAsync(() => host.Logs.All.Contains("The delivery lane of receiver flaky failed", StringComparison.Ordinal), "the poisoned lane failed");
        var failure = host.Logs.Lines.Single(l => l.Contains("The delivery lane of receiver flaky failed", StringComparison.Ordinal));
        Assert.StartsWith("Error ", failure, StringComparison.Ordinal);
        Assert.Contains("poisoned by the test", failure, StringComparison.Ordinal);
        Assert.Contains("receiver 'flaky' threw while delivering down firing for a", failure, StringComparison.Ordinal);

        // While the flaky lane waits to restart, the other lane delivers as usual.
        await PingAsync(host, b, "/fail");
        await Poll.UntilAsync(() => steady.Accepted.Any(r => Is(r, "a", "firing")) && steady.Accepted.Any(r => Is(r, "b", "firing")), "both firings at the steady receiver");
        Assert.Empty(flaky.All);

        // The lane restarts (1 s) and delivers what waited, the poisoned row after its backoff.
        await host.AdvanceAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => flaky.Accepted.Any(r => Is(r, "a", "firing")) && flaky.Accepted.Any(r => Is(r, "b", "firing")), "both firings at the restarted lane");

        await PingAsync(host, a);
        await Poll.UntilAsync(() => flaky.Accepted.Any(r => Is(r, "a", "resolved")), "delivery goes on after the restart");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        Assert.Single(host.Logs.Lines, l => l.Contains("The delivery lane of receiver", StringComparison.Ordinal));
    }

    /// <summary>The state and reason of the one outbox row for <paramref name="receiver"/>, read from the file.</summary>
    private static async Task<(string Status, string? Reason)> RowOfAsync(VigilHost host, string receiver)
    {
        await using var connection = new SqliteConnection($"Data Source={host.Settings.EffectiveSqlitePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, abandoned_reason FROM outbox WHERE receiver = $receiver;";
        command.Parameters.AddWithValue("$receiver", receiver);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var row = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        Assert.False(await reader.ReadAsync());
        return row;
    }

    /// <summary>A real receiver that throws on its first delivery, as a receiver with a bug would.</summary>
    private sealed class ThrowsOnce(IReceiver inner) : IReceiver
    {
        private int _calls;

        public string Name => inner.Name;

        public Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new InvalidOperationException("poisoned by the test")
                : inner.DeliverAsync(message, ct);
    }
}
