using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Modes;

namespace Vigil.Domain.Tests;

/// <summary>Which mode runs, and a mode change as one all-or-nothing re-application of the config checks.</summary>
public sealed class ModeTests
{
    private static readonly CheckDefinition PaperSkew = ProbeSchedulingTests.Probe("skew", severity: Severity.Warning) with { ManagedBy = ManagedBy.Config };
    private static readonly CheckDefinition LiveSkew = PaperSkew with { Severity = Severity.Critical };

    private static ModeSet Modes(string selected = "paper", bool forced = false, IReadOnlyList<CheckDefinition>? live = null) => new(
        selected == "live" ? [LiveSkew] : [PaperSkew],
        new Dictionary<string, IReadOnlyList<CheckDefinition>> { ["paper"] = [PaperSkew], ["live"] = live ?? [LiveSkew] },
        selected,
        forced);

    [Fact]
    public void Resolve_prefers_the_environment_then_the_api_choice_then_the_file()
    {
        Assert.Equal("paper", Modes().Resolve(null));
        Assert.Equal("live", Modes().Resolve("live"));
        Assert.Equal("paper", Modes().Resolve("gone"));
        Assert.Equal("paper", Modes(forced: true).Resolve("live"));
        Assert.Null(ModeSet.None.Resolve("live"));
    }

    [Fact]
    public void Applying_the_config_runs_the_resolved_modes_checks()
    {
        var kit = new TestKit();
        kit.Evaluator.LoadModes(Modes(), chosen: "live");

        kit.Evaluator.Execute(new ApplyModesCommand(Modes()));

        Assert.Equal("live", kit.Evaluator.Mode);
        Assert.Equal(Severity.Critical, kit.Evaluator.Find("skew")!.Value.Definition.Severity);
    }

    [Fact]
    public void A_mode_change_reapplies_the_checks_at_once_persists_the_choice_and_leaves_a_hook_for_the_audit()
    {
        var kit = new TestKit();
        kit.Evaluator.Execute(new ApplyModesCommand(Modes()));
        kit.Take();

        var result = kit.Evaluator.Execute(new ChangeModeCommand("live", "going live after review", "ops-admin"));

        Assert.Equal(new ModeChangeResult(ModeChangeStatus.Changed, "paper", "live", result.Applied), result);
        Assert.Equal("live", kit.Evaluator.Mode);
        Assert.Equal(Severity.Critical, kit.Evaluator.Find("skew")!.Value.Definition.Severity);
        var changes = kit.Take();
        Assert.Equal("live", changes.ChosenMode);
        Assert.Equal(new ModeChanged("paper", "live", "going live after review", "ops-admin", kit.Now), changes.ModeChanged);
        var e = Assert.Single(changes.Events, e => e.Type == EventTypes.ModeChanged);
        Assert.Equal("mode paper → live by ops-admin: going live after review", e.Reason);
        var audit = Assert.Single(changes.Audit);
        Assert.Equal(("ops-admin", "mode.change", "live"), (audit.Key, audit.Action, audit.Target));
        Assert.Equal("going live after review (was paper)", audit.Reason);
    }

    [Fact]
    public void A_mode_that_is_not_declared_changes_nothing()
    {
        var kit = new TestKit();
        kit.Evaluator.Execute(new ApplyModesCommand(Modes()));
        kit.Take();

        var result = kit.Evaluator.Execute(new ChangeModeCommand("yolo", "why not", null));

        Assert.Equal(ModeChangeStatus.NotDeclared, result.Status);
        Assert.Equal("paper", kit.Evaluator.Mode);
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void A_mode_whose_checks_cannot_apply_changes_nothing_at_all()
    {
        var kit = new TestKit();
        var taken = Guid.NewGuid();
        kit.Add(new CheckDefinition { Name = "api-owned", Uuid = taken, Every = TimeSpan.FromMinutes(1) });
        var modes = Modes(live: [LiveSkew, TestKit.Every("pinned", TimeSpan.FromMinutes(1)) with { Uuid = taken, ManagedBy = ManagedBy.Config }]);
        kit.Evaluator.Execute(new ApplyModesCommand(modes));
        kit.Take();

        Assert.Throws<ConfigConflictException>(() => kit.Evaluator.Execute(new ChangeModeCommand("live", "go", null)));

        Assert.Equal("paper", kit.Evaluator.Mode);
        Assert.Null(kit.Evaluator.ChosenMode);
        Assert.Equal(Severity.Warning, kit.Evaluator.Find("skew")!.Value.Definition.Severity);
        Assert.Null(kit.Evaluator.Find("pinned"));
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void A_reload_whose_file_selects_another_mode_is_recorded_as_a_mode_change_without_a_key()
    {
        var kit = new TestKit();
        kit.Evaluator.Execute(new ApplyModesCommand(Modes()));
        kit.Take();

        kit.Evaluator.Execute(new ApplyModesCommand(Modes("live")));

        var changes = kit.Take();
        Assert.Equal("live", kit.Evaluator.Mode);
        Assert.Equal(new ModeChanged("paper", "live", "the config file's mode: changed", null, kit.Now), changes.ModeChanged);
        Assert.Null(changes.ChosenMode);
    }

    [Theory]
    [InlineData("paper", Level.Warning)]
    [InlineData("live", Level.Critical)]
    public void An_unmeasurable_skew_is_a_warning_in_paper_and_critical_in_live(string mode, Level expected)
    {
        // The trading host's file: paper is lenient about a clock it cannot read, live is not.
        var paper = PaperSkew with { Unmeasurable = Level.Warning };
        var live = LiveSkew with { Unmeasurable = Level.Critical };
        var modes = new ModeSet(mode == "live" ? [live] : [paper],
            new Dictionary<string, IReadOnlyList<CheckDefinition>> { ["paper"] = [paper], ["live"] = [live] }, mode, forcedByEnvironment: false);
        var kit = new TestKit();
        kit.Evaluator.Execute(new ApplyModesCommand(modes));
        kit.Evaluator.Tick();
        var request = Assert.Single(kit.Take().ProbeRequests);

        var running = kit.Evaluator.Find("skew")!.Value.Definition;
        var reading = Probes.ProbeReading.Unmeasurable(kit.Now, "ntp: time.example", "no server answered within 3s");
        var judged = Probes.ProbeJudge.Judge(reading, Probes.ProbeRules.Of(running));
        kit.Evaluator.Execute(new ProbeResultCommand(request, judged, kit.Now));

        Assert.Equal(expected, judged.Level);
        Assert.Equal(expected, kit.State("skew").Level);
        Assert.Contains("no server answered", kit.State("skew").Measurement!.Reason, StringComparison.Ordinal);
    }
}
