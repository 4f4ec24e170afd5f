using System.Text.Json;
using Vigil.Domain.Breakers;
using Vigil.Domain.Gates;
using Vigil.Server;
using Vigil.Testing;

namespace Vigil.Cli.Tests;

/// <summary>`vigil gate`, `vigil breaker`, `vigil audit` and `vigil run --gate/--breaker` as real child processes.</summary>
public sealed class GateAndBreakerCliTests : InProcessServer
{
    protected override ServerSettings Configure(ServerSettings settings) => settings with
    {
        Breakers =
        [
            new BreakerDefinition { Name = "exchange", FailureThreshold = 2, OpenFor = TimeSpan.FromHours(1), MaxOpenFor = TimeSpan.FromHours(1) },
            new BreakerDefinition { Name = "quick", FailureThreshold = 1, OpenFor = TimeSpan.FromMilliseconds(300), MaxOpenFor = TimeSpan.FromSeconds(1), ProbeTtl = TimeSpan.FromMinutes(1) },
        ],
        Gates = [new GateDefinition { Name = "trading", Breakers = ["exchange"], StartClosed = true }],
    };

    [Fact]
    public async Task Run_with_a_closed_gate_exits_75_and_never_starts_the_command_and_runs_once_released()
    {
        var marker = Dir.Combine("traded");

        var (closedExit, closed) = await VigilAsync(Env(), "run", "job", "--gate", "trading", "--", "touch", marker);
        await using (closed)
        {
            Assert.True(closedExit == 75, closed.Output);
            Assert.False(File.Exists(marker), "the command ran although the gate was closed");
            Assert.Contains("kill trading", closed.Stderr, StringComparison.Ordinal);
        }

        var (checkExit, check) = await VigilAsync(Env(), "gate", "check", "trading");
        await using (check)
        {
            Assert.True(checkExit == 1, check.Output);
            Assert.Contains("trading: closed", check.Stdout, StringComparison.Ordinal);
        }

        var (releaseExit, release) = await VigilAsync(Env(), "gate", "release", "trading", "--reason", "going LIVE");
        await using (release)
        {
            Assert.True(releaseExit == 0, release.Output);
        }

        var (openExit, open) = await VigilAsync(Env(), "run", "job", "--gate", "trading", "--", "touch", marker);
        await using (open)
        {
            Assert.True(openExit == 0, open.Output);
            Assert.True(File.Exists(marker), "the command did not run through an open gate");
        }

        var (killExit, kill) = await VigilAsync(Env(), "gate", "kill", "trading", "--reason", "fat finger");
        await using (kill)
        {
            Assert.True(killExit == 0, kill.Output);
        }

        var (auditExit, audit) = await VigilAsync(Env(), "audit", "--limit", "2", "--json");
        await using (audit)
        {
            Assert.True(auditExit == 0, audit.Output);
            var entries = JsonDocument.Parse(audit.Stdout).RootElement.EnumerateArray()
                .Select(e => $"{e.GetProperty("key").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("reason").GetString()}").ToList();
            Assert.Equal(["admin gate.kill fat finger", "admin gate.release going LIVE"], entries);
        }
    }

    [Fact]
    public async Task Run_with_a_gate_when_vigil_cannot_be_reached_does_not_start_the_command()
    {
        var marker = Dir.Combine("ran");
        var env = Env();
        env["VIGIL_URL"] = $"http://127.0.0.1:{Ports.Free()}";

        var (exit, process) = await VigilAsync(env, "run", "job", "--gate", "trading", "--", "touch", marker);
        await using var _ = process;

        Assert.True(exit == 75, process.Output);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Gate_wait_returns_0_once_released_and_1_when_its_timeout_runs_out()
    {
        var (timedOut, waited) = await VigilAsync(Env(), "gate", "wait", "trading", "--timeout", "300ms", "--every", "100ms");
        await using (waited)
        {
            Assert.True(timedOut == 1, waited.Output);
        }

        await using var waiting = ChildProcess.StartVigil(["gate", "wait", "trading", "--every", "100ms"], Env(), Dir.Path);
        await Client.ReleaseGateAsync("trading", "released while someone waits");

        Assert.Equal(0, await waiting.WaitForExitAsync(CliTimeout));
        Assert.Contains("trading: open", waiting.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Breaker_permit_exits_0_when_allowed_and_1_once_reports_tripped_it_and_force_is_audited()
    {
        Assert.Equal(0, await ExitOfAsync("breaker", "permit", "exchange"));
        Assert.Equal(0, await ExitOfAsync("breaker", "report", "exchange", "--outcome", "failure", "--error", "HTTP 502"));
        Assert.Equal(0, await ExitOfAsync("breaker", "report", "exchange", "--outcome", "failure", "--error", "HTTP 502"));

        var (refusedExit, refused) = await VigilAsync(Env(), "breaker", "permit", "exchange");
        await using (refused)
        {
            Assert.True(refusedExit == 1, refused.Output);
            Assert.Contains("refused (open)", refused.Stderr, StringComparison.Ordinal);
        }

        var (showExit, show) = await VigilAsync(Env(), "breaker", "show", "exchange", "--json");
        await using (show)
        {
            Assert.True(showExit == 0, show.Output);
            var json = JsonDocument.Parse(show.Stdout).RootElement;
            Assert.Equal("open", json.GetProperty("state").GetString());
            Assert.Equal("HTTP 502", json.GetProperty("last_error").GetString());
        }

        Assert.Equal(0, await ExitOfAsync("breaker", "force", "exchange", "closed", "--reason", "vendor confirmed the fix"));
        Assert.Equal(0, await ExitOfAsync("breaker", "permit", "exchange"));
        var latest = (await Client.GetAuditAsync(1))[0];
        Assert.Equal(("admin", "breaker.force.closed", "exchange", "vendor confirmed the fix"), (latest.Key, latest.Action, latest.Target, latest.Reason));
    }

    [Fact]
    public async Task A_half_open_probe_through_the_cli_prints_its_token_and_reporting_it_closes_the_breaker()
    {
        await Client.Breaker("quick").ReportAsync(Vigil.Client.BreakerOutcome.Failure, error: "boom");
        await Poll.UntilAsync(async () => (await Client.Breaker("quick").GetAsync()).State == "half_open", CliTimeout, "the cooldown to end by itself");

        var (permitExit, permit) = await VigilAsync(Env(), "breaker", "permit", "quick", "--holder", "cli-test:1");
        string token;
        await using (permit)
        {
            Assert.True(permitExit == 0, permit.Output);
            token = permit.Stdout.Trim();
            Assert.Matches("^[0-9a-f]{40}$", token);
        }

        Assert.Equal(0, await ExitOfAsync("breaker", "report", "quick", "--outcome", "success", "--probe-token", token));
        Assert.Equal("closed", (await Client.Breaker("quick").GetAsync()).State);
        Assert.Equal(1, await ExitOfAsync("breaker", "report", "quick", "--outcome", "success", "--probe-token", token));
    }

    [Fact]
    public async Task Run_with_a_breaker_reports_the_commands_outcome_and_exits_75_without_running_once_it_is_open()
    {
        var marker = Dir.Combine("called");
        Assert.Equal(3, await ExitOfAsync("run", "job", "--breaker", "exchange", "--", "sh", "-c", "exit 3"));
        Assert.Equal(3, await ExitOfAsync("run", "job", "--breaker", "exchange", "--", "sh", "-c", "exit 3"));
        var info = await Client.Breaker("exchange").GetAsync();
        Assert.Equal("open", info.State);
        Assert.Equal("exit status 3", info.Json.GetProperty("last_error").GetString()![..13]);

        var (exit, process) = await VigilAsync(Env(), "run", "job", "--breaker", "exchange", "--", "touch", marker);
        await using var _ = process;

        Assert.True(exit == 75, process.Output);
        Assert.False(File.Exists(marker), "the command ran although the breaker refused");
        Assert.Contains("refused (open", process.Stderr, StringComparison.Ordinal);
    }

    private async Task<int> ExitOfAsync(params string[] args)
    {
        var (exit, process) = await VigilAsync(Env(), args);
        await using (process)
        {
            return exit;
        }
    }
}
