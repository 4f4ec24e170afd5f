using System.Net;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Server.Engine;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>A writer that cannot die silently: a poisoned command, a store that refuses writes, a store that
/// cannot be read back, a stuck loop and a full queue each end in an answer and a log line, never a hang.</summary>
public sealed class WriterSupervisionTests
{
    /// <summary>Changes a check through the real rules, then fails: a command with a bug.</summary>
    private sealed record PoisonCommand(string Check) : EvaluatorCommand<int>
    {
        public override string Kind => "poison";

        protected override int ApplyTo(Evaluator evaluator)
        {
            evaluator.Ping(new PingSignal { Name = Check, Kind = PingKind.Fail });
            evaluator.Delete("other");
            throw new InvalidOperationException("poisoned mid-way");
        }
    }

    /// <summary>Holds the loop until released: a writer stuck on something.</summary>
    private sealed record StuckCommand(SemaphoreSlim Release) : EvaluatorCommand<int>
    {
        public override string Kind => "stuck";

        protected override int ApplyTo(Evaluator evaluator)
        {
            Release.Wait(TimeSpan.FromSeconds(30));
            return 0;
        }
    }

    [Fact]
    public async Task A_command_that_throws_midway_commits_nothing_and_the_writer_goes_on()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        await host.PutCheckAsync("other", """{"every":"1h"}""");
        using (var ok = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Loop.SubmitAsync(new PoisonCommand("job")));

        Assert.Equal("poisoned mid-way", error.Message);
        Assert.Equal("up", await host.StatusOfAsync("job"));
        Assert.Equal("new", await host.StatusOfAsync("other"));
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("poison command threw and was rolled back", StringComparison.Ordinal));

        await host.RestartAsync();
        Assert.Equal("up", await host.StatusOfAsync("job"));
        Assert.Equal("new", await host.StatusOfAsync("other"));
        var events = await host.GetJsonAsync("api/v1/checks/job/events");
        Assert.DoesNotContain(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "fail");
        using var ping = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("down", await host.StatusOfAsync("job"));
    }

    [Fact]
    public async Task A_refused_commit_is_answered_503_then_the_writer_recovers_from_the_store()
    {
        FaultyStore? store = null;
        await using var host = await VigilHost.StartAsync(options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");

        store!.FailCommits = 1;
        using (var refused = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}/fail"))
        {
            var problem = await refused.ProblemAsync(503);
            Assert.Contains("nothing was acknowledged", problem.GetProperty("detail").GetString());
        }

        Assert.Equal("new", await host.StatusOfAsync("job"));
        using (var ok = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal("up", await host.StatusOfAsync("job"));
        using var ready = await host.SendAsync(HttpMethod.Get, "readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Null(host.Server.FatalReason);
    }

    [Fact]
    public async Task When_the_state_cannot_be_reloaded_after_a_refused_commit_the_server_stops_and_says_why()
    {
        FaultyStore? store = null;
        await using var host = await VigilHost.StartAsync(options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");

        store!.FailCommits = -1;
        store.FailLoads = true;
        using (var refused = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}"))
        {
            await refused.ProblemAsync(503);
        }

        await Poll.UntilAsync(() => host.Server.FatalReason is not null, "the server gives up");
        Assert.Contains("reloading the state from the store failed too", host.Server.FatalReason);
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("gave up", StringComparison.Ordinal));
        Assert.False(host.Loop.Running);
        var late = await Assert.ThrowsAsync<ServiceUnavailableException>(() => host.Loop.SubmitAsync(new PingCommand(new PingSignal { Uuid = uuid, Kind = PingKind.Success })));
        Assert.Contains("has stopped", late.Message);
        await host.Server.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Repeated_refused_commits_end_in_a_loud_stop_not_a_silent_loop()
    {
        FaultyStore? store = null;
        await using var host = await VigilHost.StartAsync(options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        await host.PutCheckAsync("job", """{"every":"1h"}""");

        store!.FailCommits = -1;
        for (var i = 0; i < EvaluatorLoop.MaxConsecutiveFailures && host.Server.FatalReason is null; i++)
        {
            using var refused = await host.SendAsync(HttpMethod.Put, "api/v1/checks/x" + i, host.AdminKey, """{"every":"1h"}""");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await Poll.UntilAsync(() => host.Server.FatalReason is not null, "the server gives up");
        Assert.Contains("batches in a row failed", host.Server.FatalReason);
    }

    [Fact]
    public async Task A_stuck_writer_answers_waiting_requests_503_within_the_bound_and_a_full_queue_at_once()
    {
        await using var host = await VigilHost.StartAsync(options: o => o with { CommandTimeout = TimeSpan.FromSeconds(1), QueueCapacity = 4 });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");
        using var release = new SemaphoreSlim(0);

        var stuck = host.Loop.SubmitAsync(new StuckCommand(release));
        await Poll.UntilAsync(() => host.Loop.QueueLength == 0, "the loop took the stuck command");
        var waiting = Enumerable.Range(0, 4).Select(_ => host.SendAsync(HttpMethod.Get, $"ping/{uuid}")).ToList();
        await Poll.UntilAsync(() => host.Loop.QueueLength == 4, "four pings wait");

        using (var full = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}"))
        {
            var problem = await full.ProblemAsync(503);
            Assert.Contains("commands waiting", problem.GetProperty("detail").GetString());
            Assert.Equal(TimeSpan.FromSeconds(1), full.Headers.RetryAfter?.Delta);
        }

        foreach (var response in await Task.WhenAll(waiting))
        {
            var problem = await response.ProblemAsync(503);
            Assert.Contains("did not answer within 1s", problem.GetProperty("detail").GetString());
            response.Dispose();
        }

        release.Release();
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => stuck);
        await Poll.UntilAsync(() => host.Loop.QueueLength == 0, "the queue drains");
        using var after = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Healthz_reflects_a_writer_that_has_stopped()
    {
        FaultyStore? store = null;
        await using var host = await VigilHost.StartAsync(options: o => o with { WrapStore = s => store = new FaultyStore(s) });
        using (var alive = await host.SendAsync(HttpMethod.Get, "healthz")) Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        store!.FailCommits = -1;
        store.FailLoads = true;
        using (await host.AdminAsync(HttpMethod.Put, "api/v1/checks/x", """{"every":"1h"}""")) { }
        await Poll.UntilAsync(() => !host.Loop.Running, "the loop stops");

        // The host is stopping by now; whichever answers first, it is never a 200.
        try
        {
            using var dead = await host.SendAsync(HttpMethod.Get, "healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, dead.StatusCode);
            Assert.Contains("not running", await dead.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
        }
    }
}
