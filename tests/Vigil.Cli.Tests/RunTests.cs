using System.Text.Json;
using Vigil.Testing;

namespace Vigil.Cli.Tests;

/// <summary>`vigil run` as cron runs it: a real child process wrapping a real command.</summary>
public sealed class RunTests : InProcessServer
{
    [Fact]
    public async Task A_failing_command_exits_with_its_status_and_is_recorded_as_fail_with_its_output()
    {
        var (exit, process) = await VigilAsync(Env(), "run", "job", "--", "sh", "-c", "echo the-output-tail; echo on-stderr >&2; exit 3");
        await using var _ = process;

        Assert.True(exit == 3, process.Output);
        Assert.Contains("the-output-tail", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("on-stderr", process.Stderr, StringComparison.Ordinal);
        var run = await LastRunAsync("job");
        Assert.Equal("fail", run.GetProperty("outcome").GetString());
        Assert.Equal(3, run.GetProperty("exit_code").GetInt32());
        var log = await RunLogAsync("job", run.GetProperty("rid").GetString()!);
        Assert.Contains("the-output-tail", log, StringComparison.Ordinal);
        Assert.Contains("on-stderr", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_succeeding_command_exits_0_and_is_recorded_as_success()
    {
        var (exit, process) = await VigilAsync(Env(), "run", "job", "--", "sh", "-c", "echo all-good; exit 0");
        await using var _ = process;

        Assert.True(exit == 0, process.Output);
        var run = await LastRunAsync("job");
        Assert.Equal("success", run.GetProperty("outcome").GetString());
        Assert.Equal(0, run.GetProperty("exit_code").GetInt32());
        var status = (await Client.ListChecksAsync()).Single(c => c.Name == "job").Status;
        Assert.Equal("up", status);
    }

    [Fact]
    public async Task Sigterm_is_forwarded_to_the_command_and_vigil_exits_with_its_status()
    {
        await using var vigil = ChildProcess.StartVigil(
            ["run", "job", "--", "sh", "-c", "trap 'echo got-term; exit 42' TERM; echo ready; sleep 30 & wait"], Env(), Dir.Path);
        await Poll.UntilAsync(() => vigil.Stdout.Contains("ready", StringComparison.Ordinal) || vigil.HasExited, InProcessServer.CliTimeout, "the command to start");
        Assert.False(vigil.HasExited, vigil.Output);

        var signalled = TimeProvider.System.GetTimestamp();
        await vigil.SignalAsync("TERM");
        var exit = await vigil.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exit == 42, vigil.Output);
        Assert.Contains("got-term", vigil.Stdout, StringComparison.Ordinal);
        Assert.True(TimeProvider.System.GetElapsedTime(signalled) < TimeSpan.FromSeconds(10),
            $"vigil took {TimeProvider.System.GetElapsedTime(signalled)} to exit after the command did");
        var run = await LastRunAsync("job");
        Assert.Equal("fail", run.GetProperty("outcome").GetString());
        Assert.Equal(42, run.GetProperty("exit_code").GetInt32());
        Assert.Contains("got-term", await RunLogAsync("job", run.GetProperty("rid").GetString()!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lease_held_elsewhere_exits_75_without_running_and_names_the_holder_unless_overlap_is_allowed()
    {
        var held = await Client.AcquireAsync("job", TimeSpan.FromMinutes(5), "other-host:4242");
        Assert.True(held.Granted);
        var marker = Dir.Combine("ran");

        var (exit, process) = await VigilAsync(Env(), "run", "job", "--", "touch", marker);
        await using (process)
        {
            Assert.True(exit == 75, process.Output);
            Assert.False(File.Exists(marker), "the command ran although the lease was held elsewhere");
            Assert.Contains("other-host:4242", process.Stderr, StringComparison.Ordinal);
        }

        var (overlapExit, overlap) = await VigilAsync(Env(), "run", "job", "--allow-overlap", "--", "touch", marker);
        await using (overlap)
        {
            Assert.True(overlapExit == 0, overlap.Output);
            Assert.True(File.Exists(marker), "--allow-overlap did not run the command");
        }
    }

    [Fact]
    public async Task An_unreachable_server_still_runs_the_command_spools_its_outcome_and_a_later_verb_delivers_it_as_a_late_report()
    {
        var spool = Dir.Combine("spool");
        var nowhere = new Dictionary<string, string?>(Env(spool)) { ["VIGIL_URL"] = $"http://127.0.0.1:{Ports.Free()}" };
        var marker = Dir.Combine("ran");

        var (exit, process) = await VigilAsync(nowhere, "run", "job", "--", "sh", "-c", $"touch '{marker}'; echo while-offline; exit 5");
        await using (process)
        {
            Assert.True(exit == 5, process.Output);
        }

        Assert.True(File.Exists(marker), "the command did not run");
        Assert.Single(Directory.GetFiles(spool, "*.json"));

        var (statusExit, status) = await VigilAsync(Env(spool), "status");
        await using (status)
        {
            Assert.True(statusExit is 0 or 1, status.Output);
        }

        Assert.Empty(Directory.GetFiles(spool, "*.json"));
        var events = await EventsAsync("job");
        var late = Assert.Single(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "late_report");
        Assert.Equal(JsonValueKind.String, late.GetProperty("reported_at").ValueKind);
        Assert.Equal(5, late.GetProperty("exit_status").GetInt32());
    }

    [Fact]
    public async Task A_command_that_cannot_be_executed_exits_127()
    {
        var (exit, process) = await VigilAsync(Env(), "run", "job", "--", "/nonexistent/binary");
        await using var _ = process;

        Assert.True(exit == 127, process.Output);
        Assert.Contains("/nonexistent/binary", process.Stderr, StringComparison.Ordinal);
        var run = await LastRunAsync("job");
        Assert.Equal("fail", run.GetProperty("outcome").GetString());
        Assert.Equal(127, run.GetProperty("exit_code").GetInt32());
    }
}

/// <summary>The spec's exit codes and output of the other verbs.</summary>
public sealed class VerbTests : InProcessServer
{
    [Fact]
    public async Task Status_against_an_unreachable_server_exits_3()
    {
        var env = new Dictionary<string, string?>(Env()) { ["VIGIL_URL"] = $"http://127.0.0.1:{Ports.Free()}" };
        var (exit, process) = await VigilAsync(env, "status");
        await using var _ = process;
        Assert.True(exit == 3, process.Output);
        Assert.NotEmpty(process.Stderr.Trim());
    }

    [Theory]
    [InlineData("ping", "job", "--start", "--fail")]
    [InlineData("run", "job")]
    [InlineData("ping", "job", "--exit", "300")]
    public async Task Bad_usage_exits_2_with_a_sentence(params string[] args)
    {
        var (exit, process) = await VigilAsync(Env(), args);
        await using var _ = process;
        Assert.True(exit == 2, process.Output);
        Assert.Matches(@"vigil: \S+.*\s\S+", process.Stderr);
    }

    [Theory]
    [InlineData("ping", "no-such-check")]
    [InlineData("checks", "show", "no-such-check")]
    public async Task An_unknown_check_exits_1(params string[] args)
    {
        var (exit, process) = await VigilAsync(Env(), args);
        await using var _ = process;
        Assert.True(exit == 1, process.Output);
    }

    [Fact]
    public async Task Status_prints_a_table_and_json_on_request()
    {
        await Client.PingAsync("job");

        var (exit, table) = await VigilAsync(Env(), "status");
        await using (table)
        {
            Assert.True(exit == 0, table.Output);
            var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^NAME\s+STATUS\s+LEVEL", lines[0]);
            Assert.Contains(lines, l => l.StartsWith("job ", StringComparison.Ordinal) && l.Contains("up", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("other ", StringComparison.Ordinal));
            Assert.DoesNotContain("\u001b[", table.Stdout, StringComparison.Ordinal);
        }

        var (jsonExit, json) = await VigilAsync(Env(), "status", "--json");
        await using (json)
        {
            Assert.True(jsonExit == 0, json.Output);
            using var doc = JsonDocument.Parse(json.Stdout);
            var names = doc.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
            Assert.Contains("job", names);
            Assert.Contains("other", names);
        }
    }

    [Fact]
    public async Task Lease_acquire_by_hand_then_run_exits_75()
    {
        var (exit, acquire) = await VigilAsync(Env(), "lease", "acquire", "job", "--ttl", "5m", "--holder", "script:1");
        await using (acquire)
        {
            Assert.True(exit == 0, acquire.Output);
            Assert.Contains("token=", acquire.Stdout, StringComparison.Ordinal);
        }

        var (runExit, run) = await VigilAsync(Env(), "run", "job", "--", "true");
        await using (run)
        {
            Assert.True(runExit == 75, run.Output);
            Assert.Contains("script:1", run.Stderr, StringComparison.Ordinal);
        }

    }
}
