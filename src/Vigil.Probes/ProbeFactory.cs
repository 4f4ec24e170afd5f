using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Probes.Kinds;

namespace Vigil.Probes;

/// <summary>Builds the probe of a definition. A probe is built once per check (and rebuilt when its definition
/// or rules change, e.g. on a mode change) and then run on the check's schedule.</summary>
public static class ProbeFactory
{
    public static IProbe Create(CheckDefinition check, TimeProvider time, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        var probe = check.Probe ?? throw new ArgumentException($"check '{check.Name}' has no probe", nameof(check));
        return Create(probe, ProbeRules.Of(check), time, options);
    }

    public static IProbe Create(ProbeDefinition definition, ProbeRules rules, TimeProvider time, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(time);
        IProbeReader reader = definition switch
        {
            HttpProbeDefinition d => new HttpProbe(d, rules, time),
            TcpProbeDefinition d => new TcpProbe(d, time),
            TlsProbeDefinition d => new TlsProbe(d, time),
            FileProbeDefinition d => new FileProbe(d, time),
            SqlProbeDefinition { Sqlite: not null } d => new SqliteProbe(d, time),
            SqlProbeDefinition d => new PostgresProbe(d, time),
            RedisProbeDefinition d => new RedisProbe(d, time),
            NtpProbeDefinition d => new NtpProbe(d, time),
            HttpTimeProbeDefinition d => new HttpTimeProbe(d, time),
            MemoryProbeDefinition d => new MemoryProbe(d, options ?? ProbeOptions.Default, time),
            CommandProbeDefinition d => new CommandProbe(d, rules, time),
            PrometheusProbeDefinition d => new PrometheusProbe(d, time),
            _ => throw new ArgumentException($"no probe for the kind {definition.Kind}", nameof(definition)),
        };
        return new JudgedProbe(reader, rules, definition.Timeout, time, $"{definition.Kind}: {reader.Subject}");
    }
}
