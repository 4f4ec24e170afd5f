using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Server;
using Vigil.Testing;

namespace Vigil.Cli.Tests;

/// <summary>`vigil health` exit codes over a real probe check, and `vigil mode` showing and switching the mode.</summary>
public sealed class ProbeCommandTests : InProcessServer
{
    private string TokenPath => Dir.Combine("token.json");

    protected override ServerSettings Configure(ServerSettings settings)
    {
        File.WriteAllText(TokenPath, "{}");
        SetAge(TimeSpan.FromDays(1));
        var paper = new CheckDefinition
        {
            Name = "token",
            Kind = CheckKind.Probe,
            Every = TimeSpan.FromSeconds(1),
            Probe = new FileProbeDefinition { Path = TokenPath },
            WarnIf = Condition.Parse("age > 5d"),
            CriticalIf = Condition.Parse("age > 7d"),
            Severity = Severity.Warning,
        };
        var live = paper with { Severity = Severity.Critical };
        return settings with
        {
            Checks = [paper],
            Mode = "paper",
            ChecksByMode = new Dictionary<string, IReadOnlyList<CheckDefinition>> { ["paper"] = [paper], ["live"] = [live] },
        };
    }

    private void SetAge(TimeSpan age) => File.SetLastWriteTimeUtc(TokenPath, (TimeProvider.System.GetUtcNow() - age).UtcDateTime);

    private async Task LevelIsAsync(string level) =>
        await Poll.UntilAsync(async () => (await Client.GetCheckAsync("token")).GetProperty("check").GetProperty("level").GetString() == level,
            $"the token check at level {level}");

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var (exit, process) = await VigilAsync(Env(), args);
        await using (process)
        {
            return (exit, process.Output);
        }
    }

    [Fact]
    public async Task Health_exits_0_ok_1_warning_2_critical_and_mode_shows_and_switches()
    {
        await LevelIsAsync("ok");
        var (ok, okOutput) = await RunAsync("health");
        Assert.True(ok == 0, okOutput);
        Assert.Contains("mode: paper", okOutput, StringComparison.Ordinal);
        Assert.Contains("vigil/probe scheduler: ok", okOutput, StringComparison.Ordinal);

        SetAge(TimeSpan.FromDays(6));
        await LevelIsAsync("warning");
        var (warning, warningOutput) = await RunAsync("health");
        Assert.True(warning == 1, warningOutput);
        Assert.Contains("check/token: warning", warningOutput, StringComparison.Ordinal);

        // Critical measured, but a warning while in paper.
        SetAge(TimeSpan.FromDays(8));
        await Poll.UntilAsync(async () => (await Client.GetCheckAsync("token")).GetProperty("measurement").GetProperty("level").GetString() == "critical",
            "a critical measurement");
        Assert.Equal(1, (await RunAsync("health")).Exit);

        var (shown, shownOutput) = await RunAsync("mode");
        Assert.True(shown == 0, shownOutput);
        Assert.Contains("mode: paper (from config; declared: paper, live)", shownOutput, StringComparison.Ordinal);

        var (noReason, noReasonOutput) = await RunAsync("mode", "live");
        Assert.True(noReason == 2, noReasonOutput);
        Assert.Contains("--reason", noReasonOutput, StringComparison.Ordinal);

        var (switched, switchedOutput) = await RunAsync("mode", "live", "--reason", "going live");
        Assert.True(switched == 0, switchedOutput);
        Assert.Contains("mode: paper → live", switchedOutput, StringComparison.Ordinal);
        var (critical, criticalOutput) = await RunAsync("health");
        Assert.True(critical == 2, criticalOutput);
        Assert.Contains("mode: live", criticalOutput, StringComparison.Ordinal);

        var (unknown, unknownOutput) = await RunAsync("mode", "yolo", "--reason", "x");
        Assert.True(unknown == 1, unknownOutput);
        Assert.Contains("declared: paper, live", unknownOutput, StringComparison.Ordinal);
    }
}
