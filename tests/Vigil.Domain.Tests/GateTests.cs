using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Gates;

namespace Vigil.Domain.Tests;

/// <summary>Gates: open only when the kill switch is released, every covered check is at or below max_level and
/// every covered breaker is closed; closed with a reason for each thing that holds it.</summary>
public class GateTests
{
    private static readonly BreakerDefinition Exchange = new() { Name = "exchange", FailureThreshold = 1, OpenFor = TimeSpan.FromSeconds(30) };

    private static TestKit Kit(GateDefinition gate)
    {
        var kit = new TestKit();
        kit.Add(TestKit.Every("trader", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)) with { Tags = ["trading"] });
        kit.Add(TestKit.Every("backup", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)) with { Tags = ["ops"] });
        kit.Ping("trader");
        kit.Ping("backup");
        kit.Evaluator.ApplyConfigPolicies([Exchange], [gate]);
        kit.Take();
        return kit;
    }

    private static readonly GateDefinition Trading = new() { Name = "trading", CheckTags = ["trading"], Breakers = ["exchange"] };

    private static IReadOnlyList<GateReason> Reasons(TestKit kit) => kit.Evaluator.GateReasons("trading")!;

    [Fact]
    public void A_released_gate_over_healthy_checks_and_a_closed_breaker_is_open()
    {
        var kit = Kit(Trading);

        Assert.Empty(Reasons(kit));
    }

    [Fact]
    public void A_covered_check_going_down_closes_it_with_the_check_as_reason_and_an_uncovered_one_does_not()
    {
        var kit = Kit(Trading);
        kit.Ping("trader");
        kit.Advance(TimeSpan.FromMinutes(2));
        kit.Ping("trader");

        kit.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(31));

        Assert.Equal(CheckStatus.Down, kit.Status("trader"));
        Assert.Equal(CheckStatus.Down, kit.Status("backup"));
        var reason = Assert.Single(Reasons(kit));
        Assert.Equal(("check", "trader"), (reason.Kind, reason.Name));
        Assert.Contains("level critical is above ok", reason.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_level_critical_lets_a_down_check_through_but_not_an_open_breaker()
    {
        var kit = Kit(Trading with { MaxLevel = Level.Critical });
        kit.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(CheckStatus.Down, kit.Status("trader"));
        Assert.Empty(Reasons(kit));

        kit.Evaluator.BreakerReport("exchange", BreakerOutcome.Failure, null, "502");

        var reason = Assert.Single(Reasons(kit));
        Assert.Equal(("breaker", "exchange"), (reason.Kind, reason.Name));
        Assert.StartsWith("open until", reason.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_half_open_breaker_keeps_it_closed_until_a_probe_closes_the_breaker()
    {
        var kit = Kit(Trading);
        kit.Evaluator.BreakerReport("exchange", BreakerOutcome.Failure, null, "502");
        kit.Advance(TimeSpan.FromSeconds(30));
        Assert.StartsWith("half_open", Assert.Single(Reasons(kit)).Detail, StringComparison.Ordinal);

        var probe = kit.Evaluator.BreakerPermit("exchange", "bot:1").Probe!;
        kit.Evaluator.BreakerReport("exchange", BreakerOutcome.Success, probe.Token, null);

        Assert.Empty(Reasons(kit));
    }

    [Fact]
    public void The_kill_switch_closes_it_and_release_opens_it_each_audited_with_who_and_why()
    {
        var kit = Kit(Trading);

        Assert.True(kit.Evaluator.SetKillSwitch("trading", true, "fat-finger investigation", "alice"));
        var killed = Assert.Single(Reasons(kit));
        Assert.True(kit.Evaluator.SetKillSwitch("trading", false, "all clear", "bob"));

        Assert.Equal(("kill", "trading"), (killed.Kind, killed.Name));
        Assert.Contains("alice: fat-finger investigation", killed.Detail, StringComparison.Ordinal);
        Assert.Empty(Reasons(kit));
        var kill = kit.Evaluator.GateSnapshot("trading")!.Kill;
        Assert.Equal((false, "all clear", "bob", kit.Now), (kill.Engaged, kill.Reason, kill.By, kill.At));
        Assert.Equal(["alice gate.kill trading: fat-finger investigation", "bob gate.release trading: all clear"],
            kit.Take().Audit.Select(a => $"{a.Key} {a.Action} {a.Target}: {a.Reason}"));
        Assert.False(kit.Evaluator.SetKillSwitch("no-such-gate", true, "x", "alice"));
    }

    [Fact]
    public void Start_closed_engages_at_creation_and_at_every_start_but_keeps_a_persons_reason()
    {
        var kit = Kit(Trading with { StartClosed = true });
        Assert.Equal(GateReason.KillKind, Assert.Single(Reasons(kit)).Kind);
        kit.Evaluator.SetKillSwitch("trading", false, "going live", "alice");

        Assert.Equal(1, kit.Evaluator.EngageStartClosedGates());
        var engaged = kit.Evaluator.GateSnapshot("trading")!.Kill;
        Assert.Equal((true, AuditActions.Vigil), (engaged.Engaged, engaged.By));

        kit.Evaluator.SetKillSwitch("trading", true, "halt", "bob");
        Assert.Equal(0, kit.Evaluator.EngageStartClosedGates());
        Assert.Equal("halt", kit.Evaluator.GateSnapshot("trading")!.Kill.Reason);
    }

    [Fact]
    public void A_named_check_that_does_not_exist_keeps_the_gate_closed()
    {
        var kit = Kit(Trading with { CheckNames = ["pricing-feed"], CheckTags = [] });

        var reason = Assert.Single(Reasons(kit));

        Assert.Equal(("check", "pricing-feed", "no such check"), (reason.Kind, reason.Name, reason.Detail));
    }
}
