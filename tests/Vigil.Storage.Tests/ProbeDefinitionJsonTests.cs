using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Storage.Tests;

/// <summary>A probe check's definition survives the store's JSON: the kind as a discriminator, conditions as text.</summary>
public sealed class ProbeDefinitionJsonTests
{
    public static TheoryData<ProbeDefinition> Definitions() =>
    [
        new HttpProbeDefinition { Url = new Uri("https://example.com/h"), Headers = new Dictionary<string, string> { ["A"] = "b" }, ExpectStatus = [new StatusRange(200, 299)], Json = "$.t", Value = ValueKind.Timestamp },
        new TcpProbeDefinition { Host = "db", Port = 5432, Timeout = TimeSpan.FromSeconds(3) },
        new TlsProbeDefinition { Host = "example.com", ServerName = "www.example.com" },
        new FileProbeDefinition { Path = "/srv/token.json", Json = "$.token.created_at", Value = ValueKind.Timestamp },
        new SqlProbeDefinition { Sqlite = "/srv/cache.db", Query = "SELECT 1", Value = ValueKind.Rows },
        new RedisProbeDefinition { Connection = "localhost:6379", Command = RedisCommand.HGet, Key = "h", Field = "f" },
        new NtpProbeDefinition { Servers = [new HostPort("time.cloudflare.com", 123), new HostPort("::1", 1123)] },
        new HttpTimeProbeDefinition { Url = new Uri("https://api.binance.com/api/v3/time"), Json = "$.serverTime", Unit = TimeUnit.Milliseconds },
        new MemoryProbeDefinition { Target = MemoryTarget.SystemdUnit, Of = "worker.service" },
        new CommandProbeDefinition { Run = ["/usr/lib/nagios/plugins/check_disk", "-w", "10%"] },
        new PrometheusProbeDefinition { Url = new Uri("http://prometheus:9090"), Query = "up" },
    ];

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Every_kind_round_trips(ProbeDefinition probe)
    {
        var check = new CheckDefinition
        {
            Name = "p",
            Kind = CheckKind.Probe,
            Probe = probe,
            WarnIf = Condition.Parse("latency > 2s"),
            CriticalIf = Condition.Parse("used_pct >= 95%"),
            Unmeasurable = Level.Warning,
        };

        var json = StoreJson.Serialize(check);
        var back = StoreJson.ReadDefinition(json);

        Assert.Contains($"\"kind\":\"{probe.Kind}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"warn_if\":\"latency \\u003E 2s\"", json, StringComparison.Ordinal);
        Assert.True(check.HasSameSettingsAs(back), json);
        Assert.Equal(probe, back.Probe);
    }
}
