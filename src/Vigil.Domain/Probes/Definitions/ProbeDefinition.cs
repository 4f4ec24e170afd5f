using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary>
/// What one probe measures, as declared under <c>probe:</c> — one derived record per kind, validated by the
/// configuration and turned into a running probe by <c>Vigil.Probes.ProbeFactory</c>. Stored as JSON with a
/// <c>kind</c> discriminator. Records holding lists compare them by content, so reloading an unchanged file
/// does not look like a change.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(HttpProbeDefinition), "http")]
[JsonDerivedType(typeof(TcpProbeDefinition), "tcp")]
[JsonDerivedType(typeof(TlsProbeDefinition), "tls")]
[JsonDerivedType(typeof(FileProbeDefinition), "file")]
[JsonDerivedType(typeof(SqlProbeDefinition), "sql")]
[JsonDerivedType(typeof(RedisProbeDefinition), "redis")]
[JsonDerivedType(typeof(NtpProbeDefinition), "ntp")]
[JsonDerivedType(typeof(HttpTimeProbeDefinition), "http_time")]
[JsonDerivedType(typeof(MemoryProbeDefinition), "memory")]
[JsonDerivedType(typeof(CommandProbeDefinition), "command")]
[JsonDerivedType(typeof(PrometheusProbeDefinition), "prometheus")]
public abstract record ProbeDefinition
{
    /// <summary>Bounds one whole run of a probe. The default value is 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The key under <c>probe:</c> (<c>http</c>, <c>sql</c>, …).</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>The quantities this probe yields as configured, which are the ones its conditions may name.</summary>
    [JsonIgnore]
    public abstract IReadOnlyList<string> Quantities { get; }
}
