using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Tests;

/// <summary>Test helpers: build a probe from a definition and conditions, run it once, dispose it.</summary>
internal static class Probe
{
    /// <summary>A fixed instant for fake clocks: measured ages are exact.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    public static ProbeRules Rules(string? warnIf = null, string? criticalIf = null, Level unmeasurable = Level.Critical) =>
        new(warnIf is null ? null : Condition.Parse(warnIf), criticalIf is null ? null : Condition.Parse(criticalIf), unmeasurable);

    public static async Task<Measurement> MeasureAsync(ProbeDefinition definition, ProbeRules? rules = null, TimeProvider? time = null, ProbeOptions? options = null)
    {
        var probe = ProbeFactory.Create(definition, rules ?? ProbeRules.None, time ?? Clock(), options);
        await using (probe)
        {
            return await probe.MeasureAsync(CancellationToken.None);
        }
    }

    public static void Is(Level level, Measurement m) =>
        Assert.True(m.Level == level, $"expected {level}, got {m.Level}: {m.Reason}");

    public static void Unmeasurable(Measurement m, string fragment)
    {
        Assert.True(m.Unmeasurable, $"expected unmeasurable, got {m.Level}: {m.Reason}");
        Assert.Contains(fragment, m.Reason, StringComparison.Ordinal);
    }
}
