using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Configuration.Tests;

/// <summary>The ready configs in examples/ for the typical probe setups load as documented (their `vigil config check`
/// run is in the end-to-end suite).</summary>
public sealed class ProbeExampleTests
{
    private static VigilConfig Example(string file, IReadOnlyDictionary<string, string?>? env = null)
    {
        var result = ConfigLoader.Load(Path.Combine(TestConfig.RepositoryRoot(), "examples", file), env ?? TestConfig.NoEnv);
        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        return result.Config!;
    }

    [Fact]
    public void The_options_scanner_watches_its_token_cache_watchlist_and_worker()
    {
        var config = Example("options-scanner.yaml");

        Assert.Equal(["broker-refresh-token", "market-cache-fresh", "watchlist-not-empty", "worker-memory"], config.Checks.Select(c => c.Name));
        Assert.All(config.Checks, c => Assert.Equal(CheckKind.Probe, c.Kind));
        var token = config.Checks[0];
        Assert.Equal("age > 5d", token.WarnIf!.ToString());
        Assert.Equal("age > 7d", token.CriticalIf!.ToString());
        Assert.Equal(ValueKind.Timestamp, Assert.IsType<FileProbeDefinition>(token.Probe).Value);
        Assert.Equal(Condition.Parse("age > 15m"), config.Checks[1].CriticalIf);
        var watchlist = Assert.IsType<SqlProbeDefinition>(config.Checks[2].Probe);
        Assert.Equal(ValueKind.Rows, watchlist.Value);
        Assert.Equal(Condition.Parse("rows == 0"), config.Checks[2].CriticalIf);
        Assert.Equal(MemoryTarget.SystemdUnit, Assert.IsType<MemoryProbeDefinition>(config.Checks[3].Probe).Target);
    }

    [Fact]
    public void The_trading_host_is_lenient_in_paper_and_strict_in_live()
    {
        var paper = Example("trading-host.yaml");
        var live = Example("trading-host.yaml", TestConfig.Env(("VIGIL_MODE", "live")));

        Assert.Equal("paper", paper.Mode);
        Assert.False(paper.ModeFromEnvironment);
        Assert.Equal(["paper", "live"], paper.Modes.Keys);
        Assert.All(paper.Checks, c => Assert.Equal((Severity.Warning, Level.Warning), (c.Severity, c.Unmeasurable)));
        Assert.All(paper.ChecksIn("live"), c => Assert.Equal((Severity.Critical, Level.Critical), (c.Severity, c.Unmeasurable)));
        Assert.IsType<NtpProbeDefinition>(paper.Checks[0].Probe);
        Assert.Equal("$.serverTime", Assert.IsType<HttpTimeProbeDefinition>(paper.Checks[1].Probe).Json);

        Assert.Equal("live", live.Mode);
        Assert.True(live.ModeFromEnvironment);
        Assert.All(live.Checks, c => Assert.Equal(Severity.Critical, c.Severity));
    }

    [Fact]
    public void The_rate_limited_publisher_reads_its_redis_hash_and_pings_with_its_data_age()
    {
        var config = Example("rate-limited-publisher.yaml");

        var publisher = config.Checks.Single(c => c.Name == "price-publisher");
        Assert.Equal(CheckKind.Heartbeat, publisher.Kind);
        Assert.Equal(TimeSpan.FromMinutes(5), publisher.MaxDataAge);
        var redis = Assert.IsType<RedisProbeDefinition>(config.Checks.Single(c => c.Name == "harvest-redis-btcusdt").Probe);
        Assert.Equal(RedisCommand.HGet, redis.Command);
        Assert.Equal(ValueKind.Timestamp, redis.Value);
    }
}
