using System.Text.Json;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vigil.Server.Tests;

/// <summary>Issue 6: a route's alerts are grouped (group_wait, group_interval), a receiver's limit folds what waits
/// into the next digest (never dropped), a 429's Retry-After counts as the receiver's own limit, and a digest too
/// long for one message links to its full list.</summary>
public sealed class GroupingTests(ITestOutputHelper output)
{
    private static Func<ServerSettings, ServerSettings> Hook(FakeWebhook hook, TimeSpan wait, TimeSpan interval, ReceiverLimit? limit = null) => s => s with
    {
        Receivers = [new ReceiverSettings(VigilHost.WebhookName, "webhook", Url: hook.Url)],
        Routes = [new Route { Receivers = [VigilHost.WebhookName], GroupWait = wait, GroupInterval = interval }],
        Limits = limit is null ? s.Limits : new Dictionary<string, ReceiverLimit> { [VigilHost.WebhookName] = limit },
    };

    /// <summary>The checks a webhook request speaks of: one notification, or a digest's envelope.</summary>
    private static string[] Names(ReceivedRequest r) =>
        r.Json.TryGetProperty("notifications", out var list)
            ? [.. list.EnumerateArray().Select(n => n.GetProperty("check").GetProperty("name").GetString()!)]
            : [r.Json.GetProperty("check").GetProperty("name").GetString()!];

    private static async Task FailAsync(VigilHost host, params string[] checks)
    {
        foreach (var check in checks)
        {
            using var response = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync(check)}/fail");
            Assert.Equal(200, (int)response.StatusCode);
        }
    }

    [Fact]
    public async Task Alerts_within_a_groups_interval_go_as_one_digest_whose_key_survives_a_retry_and_lists_them_all()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(Hook(hook, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        foreach (var check in new[] { "a", "b", "c" })
        {
            await host.PutCheckAsync(check, """{"every":"1h"}""");
        }

        await FailAsync(host, "a");
        await Poll.UntilAsync(() => hook.Accepted.Count == 1, "a's alert, at once: the first of a new group");
        Assert.Equal(["a"], Names(hook.All[0]));

        await FailAsync(host, "b", "c");
        await host.DeliveriesIdleAsync();
        Assert.Single(hook.All);

        hook.AnswerWith = 500;
        await host.AdvanceAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.All.Count == 2, "the digest of b and c, refused");
        hook.AnswerWith = 200;
        await host.AdvanceAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.Accepted.Count == 2, "the digest again, accepted");

        var (refused, accepted) = (hook.All[1], hook.All[2]);
        Assert.Equal(["b", "c"], Names(refused));
        Assert.Equal(["b", "c"], Names(accepted));
        var key = accepted.Header("Idempotency-Key")!;
        Assert.StartsWith("digest-", key);
        Assert.Equal(refused.Header("Idempotency-Key"), key);
        Assert.Equal(2, accepted.Json.GetProperty("notifications").GetArrayLength());

        var listed = await host.GetJsonAsync($"api/v1/notifications?digest={key}", host.AdminKey);
        Assert.Equal(["b", "c"], listed.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("check").GetString()).Order());
        Assert.All(listed.GetProperty("deliveries").EnumerateArray(), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_storm_of_1000_checks_down_within_a_second_is_a_handful_of_messages_naming_every_check()
    {
        const int count = 1000;
        await using var hook = await FakeWebhook.StartAsync();
        var checks = Enumerable.Range(0, count)
            .Select(i => new CheckDefinition { Name = $"job-{i:D4}", Every = TimeSpan.FromMinutes(1), Grace = TimeSpan.Zero, ManagedBy = ManagedBy.Config })
            .ToList();
        await using var host = await VigilHost.StartAsync(s => Hook(hook, TimeSpan.Zero, TimeSpan.FromSeconds(30), new ReceiverLimit(20, TimeSpan.FromMinutes(1)))(s) with
        {
            ChecksFromConfig = true,
            Checks = checks,
        });

        // Ten waves of 100 pings, 100 ms apart: their deadlines fall within one second.
        for (var wave = 0; wave < 10; wave++)
        {
            await Task.WhenAll(checks.Skip(wave * 100).Take(100).Select(async c =>
            {
                using var response = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync(c.Name)}");
                Assert.Equal(200, (int)response.StatusCode);
            }));
            host.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await host.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.Accepted.Count >= 1, "the first message of the storm");
        await host.AdvanceAsync(TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(host.OutboxEmptyAsync, TimeSpan.FromSeconds(30), "every alert of the storm delivered");

        var messages = hook.Accepted;
        output.WriteLine($"{count} alerts in {messages.Count} messages: " + string.Join(", ", messages.Select(m => Names(m).Length)));
        Assert.InRange(messages.Count, 1, 5);

        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            named.UnionWith(Names(message));
            if (message.Json.TryGetProperty("list_url", out var list) && list.ValueKind == JsonValueKind.String)
            {
                // Past a message's size: the rest is in the linked list.
                Assert.True(message.Json.GetProperty("omitted").GetInt32() > 0);
                Assert.True(Names(message).Length <= Delivery.DispatcherOptions.DefaultMaxAlertsPerMessage);
                var full = await host.GetJsonAsync(list.GetString()!.TrimStart('/'), host.AdminKey);
                named.UnionWith(full.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("check").GetString()!));
            }
        }

        Assert.Equal(count, named.Count);
        Assert.All(checks, c => Assert.Contains(c.Name, named));
    }

    [Fact]
    public async Task A_receivers_limit_folds_what_waits_into_the_next_digest_and_drops_nothing()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(Hook(hook, TimeSpan.Zero, TimeSpan.Zero, new ReceiverLimit(2, TimeSpan.FromMinutes(1))));
        var names = Enumerable.Range(1, 6).Select(i => $"job-{i}").ToArray();
        foreach (var check in names)
        {
            await host.PutCheckAsync(check, """{"every":"1h"}""");
        }

        // One alert at a time until the limit is used up, so the burst is exactly two messages of one alert each
        // (failed together, the dispatcher could fold the second and third into one digest already).
        await FailAsync(host, names[0]);
        await Poll.UntilAsync(() => hook.Accepted.Count == 1, "the first message");
        await FailAsync(host, names[1]);
        await Poll.UntilAsync(() => hook.Accepted.Count == 2, "the limit's burst: two messages");
        await FailAsync(host, names[2..]);
        await host.DeliveriesIdleAsync();
        Assert.Equal(2, hook.All.Count);

        await host.AdvanceAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.Accepted.Count == 3, "one more message when the limit allows it");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "nothing left owed");

        Assert.Equal(names, hook.Accepted.SelectMany(Names).Order());
        Assert.Equal(4, Names(hook.Accepted[2]).Length);
    }

    [Fact]
    public async Task A_429s_retry_after_holds_every_message_to_that_receiver_and_what_waits_is_folded()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(Hook(hook, TimeSpan.Zero, TimeSpan.Zero));
        var names = new[] { "a", "b", "c", "d" };
        foreach (var check in names)
        {
            await host.PutCheckAsync(check, """{"every":"1h"}""");
        }

        hook.AnswerWith = 429;
        hook.RetryAfterSeconds = 60;
        await FailAsync(host, "a");
        await Poll.UntilAsync(() => hook.All.Count == 1, "a's alert, answered 429");
        hook.AnswerWith = 200;

        await FailAsync(host, "b", "c", "d");
        await host.AdvanceAsync(TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(1));
        await host.DeliveriesIdleAsync();
        Assert.Single(hook.All);

        await host.AdvanceAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(host.OutboxEmptyAsync, "everything owed delivered after the pause");
        Assert.Equal(names, hook.Accepted.SelectMany(Names).Order());
        output.WriteLine(string.Join(" | ", hook.Accepted.Select(r => string.Join(",", Names(r)))));
        Assert.True(hook.Accepted.Count <= 2, $"after the pause, a's retry and one digest at most; got {hook.Accepted.Count} messages");
    }
}
