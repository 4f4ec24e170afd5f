using Vigil.Domain.Checks;
using Vigil.Domain.Probes;

namespace Vigil.Domain.Tests;

public sealed class ProbeJudgeTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static ProbeReading Skew(double seconds) =>
        ProbeReading.Measured(At, "the clock", new Dictionary<string, double> { [Quantity.Skew] = seconds, [Quantity.Latency] = 0.01 });

    private static ProbeRules Rules(string? warn, string? critical, Level unmeasurable = Level.Critical) =>
        new(warn is null ? null : Condition.Parse(warn), critical is null ? null : Condition.Parse(critical), unmeasurable);

    [Theory]
    [InlineData(0.4, Level.Ok)]
    [InlineData(2.5, Level.Warning)]
    [InlineData(5.0001, Level.Critical)]
    public void Skew_is_critical_first_then_warning_else_ok(double skew, Level expected)
    {
        var m = ProbeJudge.Judge(Skew(skew), Rules("skew > 2s", "skew > 5s"));

        Assert.Equal(expected, m.Level);
        Assert.EndsWith("(warning if skew > 2s, critical if skew > 5s)", m.Reason, StringComparison.Ordinal);
        Assert.False(m.Unmeasurable);
    }

    [Fact]
    public void A_critical_condition_wins_even_when_the_warning_one_holds_too()
    {
        var m = ProbeJudge.Judge(Skew(9), Rules("skew > 1s", "skew > 5s"));

        Assert.Equal(Level.Critical, m.Level);
        Assert.Equal("the clock is off by 9s (warning if skew > 1s, critical if skew > 5s)", m.Reason);
    }

    [Fact]
    public void Without_conditions_a_measurement_is_ok_and_a_failure_is_critical_unless_unmeasurable_says_warning()
    {
        var ok = ProbeJudge.Judge(Skew(30), ProbeRules.None);
        var failed = ProbeJudge.Judge(ProbeReading.Unmeasurable(At, "the clock", "no NTP server answered"), ProbeRules.None);
        var lenient = ProbeJudge.Judge(ProbeReading.Unmeasurable(At, "the clock", "no NTP server answered"), Rules(null, null, Level.Warning));

        Assert.Equal((Level.Ok, "the clock is off by 30s"), (ok.Level, ok.Reason));
        Assert.Equal((Level.Critical, "no NTP server answered", true), (failed.Level, failed.Reason, failed.Unmeasurable));
        Assert.Equal(Level.Warning, lenient.Level);
    }

    [Fact]
    public void A_condition_on_a_quantity_that_was_not_measured_is_unmeasurable_not_ok()
    {
        var m = ProbeJudge.Judge(Skew(0.1), Rules("age > 10m", null, Level.Warning));

        Assert.True(m.Unmeasurable);
        Assert.Equal(Level.Warning, m.Level);
        Assert.Equal("the clock: no age was measured for 'age > 10m' (measured: skew, latency)", m.Reason);
    }

    [Fact]
    public void A_level_the_probe_decided_itself_stands()
    {
        var reading = ProbeReading.Decided(At, "check_disk", Level.Warning, "DISK WARNING - 9% free", new Dictionary<string, double> { [Quantity.ExitStatus] = 1 });

        var m = ProbeJudge.Judge(reading, ProbeRules.None);

        Assert.Equal((Level.Warning, "DISK WARNING - 9% free"), (m.Level, m.Reason));
    }

    [Theory]
    [InlineData(Quantity.Age, 530_000, "x is 6d 3h old")]
    [InlineData(Quantity.Age, -5, "x is 5s in the future")]
    [InlineData(Quantity.Age, 75, "x is 1m 15s old")]
    [InlineData(Quantity.Latency, 0.25, "x took 250ms")]
    [InlineData(Quantity.UsedBytes, 1610612736, "x uses 1.5 GiB")]
    [InlineData(Quantity.UsedPct, 95.25, "x uses 95.3% of its limit")]
    [InlineData(Quantity.Rows, 1, "x returned 1 row")]
    [InlineData(Quantity.DaysLeft, 13.96, "x's certificate expires in 14 days")]
    public void Reasons_read_like_a_person_wrote_them(string quantity, double value, string expected)
    {
        var reading = ProbeReading.Measured(At, "x", new Dictionary<string, double> { [quantity] = value });

        Assert.Equal(expected, ProbeJudge.Phrase(reading, quantity, value));
    }
}
