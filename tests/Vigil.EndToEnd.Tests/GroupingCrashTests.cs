using System.Text.Json.Nodes;
using Vigil.Testing;
using Xunit.Abstractions;
using static Vigil.EndToEnd.Tests.FakeWebhook;

namespace Vigil.EndToEnd.Tests;

/// <summary>Issue 6: kill -9 while a route's group waits, and while its digest is being delivered: after the restart
/// every owed alert arrives, and anything sent twice carries the same idempotency key.</summary>
public sealed class GroupingCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Guid A = Guid.Parse("5e1f0a2b-7c3d-4e5f-8a9b-0c1d2e3f4a01");
    private static readonly Guid B = Guid.Parse("5e1f0a2b-7c3d-4e5f-8a9b-0c1d2e3f4a02");
    private static readonly Guid C = Guid.Parse("5e1f0a2b-7c3d-4e5f-8a9b-0c1d2e3f4a03");

    private FakeWebhook _hook = null!;

    public async Task InitializeAsync() => _hook = await FakeWebhook.StartAsync();

    public async Task DisposeAsync() => await _hook.DisposeAsync();

    private static VigilServerProcess Server(FakeWebhook hook, string route) => new($"""
        a:
          uuid: {A}
          every: 1h
          grace: 1h
        b:
          uuid: {B}
          every: 1h
          grace: 1h
        c:
          uuid: {C}
          every: 1h
          grace: 1h
        """, hook.Url, routeYaml: route);

    /// <summary>The checks a delivery speaks of: one notification, or each of a digest's.</summary>
    private static string[] Checks(Delivery d) =>
        d.Body["notifications"] is JsonArray list
            ? [.. list.Select(n => n?["check"]?["name"]?.GetValue<string>()).OfType<string>()]
            : d.CheckName is { } name ? [name] : [];

    private static async Task FailAsync(VigilServerProcess server, params Guid[] checks)
    {
        foreach (var check in checks)
        {
            using var response = await server.PingAsync(check, "fail");
            Assert.Equal(200, (int)response.StatusCode);
        }
    }

    /// <summary>Every check's down alert arrived accepted, and every delivery naming a check used one key for it.</summary>
    private void AssertEachDeliveredUnderOneKey(params string[] checks)
    {
        var deliveries = _hook.Deliveries;
        output.WriteLine(string.Join("\n", deliveries.Select(d => $"{d.IdempotencyKey} {d.AnsweredWith} [{string.Join(",", Checks(d))}]")));
        foreach (var check in checks)
        {
            var mine = deliveries.Where(d => Checks(d).Contains(check)).ToList();
            Assert.Contains(mine, d => d.AnsweredWith == Behaviour.Accept);
            Assert.Single(mine.Select(d => d.IdempotencyKey).Distinct());
        }
    }

    [Fact]
    public async Task Kill9_during_a_groups_wait_delivers_the_group_after_restart()
    {
        await using var server = Server(_hook, "group_wait: 5s\ngroup_interval: 30s");
        await server.StartAsync();
        await FailAsync(server, A, B, C);

        // Well inside the group's wait: nothing has been sent.
        await server.KillHardAsync();
        Assert.DoesNotContain(_hook.Deliveries, d => Checks(d).Length > 0);

        await server.StartAsync();
        await Poll.UntilAsync(() => new[] { "a", "b", "c" }.All(c => _hook.Deliveries.Any(d => d.AnsweredWith == Behaviour.Accept && Checks(d).Contains(c))),
            TimeSpan.FromSeconds(30), "the group's alerts after the restart");
        AssertEachDeliveredUnderOneKey("a", "b", "c");
        Assert.Contains(_hook.Deliveries, d => Checks(d).Length == 3);
    }

    [Fact]
    public async Task Kill9_during_a_digests_delivery_sends_it_again_after_restart_under_the_same_key()
    {
        await using var server = Server(_hook, "group_wait: 2s\ngroup_interval: 30s");
        _hook.Decide = d => d.Body["notifications"] is JsonArray ? Behaviour.Hang : Behaviour.Accept;
        await server.StartAsync();
        await FailAsync(server, A, B);
        await Poll.UntilAsync(() => _hook.Deliveries.Any(d => Checks(d).Length == 2), TimeSpan.FromSeconds(20), "the digest of a and b, hanging");

        await server.KillHardAsync();
        _hook.Decide = null;
        _hook.Mode = Behaviour.Accept;
        await server.StartAsync();
        await Poll.UntilAsync(() => _hook.Deliveries.Any(d => d.AnsweredWith == Behaviour.Accept && Checks(d).Length == 2), TimeSpan.FromSeconds(30),
            "the same digest, accepted after the restart");

        AssertEachDeliveredUnderOneKey("a", "b");
        var digests = _hook.Deliveries.Where(d => Checks(d).Length == 2).ToList();
        Assert.All(digests, d => Assert.StartsWith("digest-", d.IdempotencyKey));
    }
}
