using System.Globalization;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

public sealed class RedisProbeTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private RedisServer R => redis.Server;

    private RedisProbeDefinition Probing(RedisCommand command, string key, string? field = null, ValueKind value = ValueKind.Number) =>
        new() { Connection = R.Connection, Command = command, Key = key, Field = field, Value = value };

    private async Task<string> SnapshotAsync(params string[] keys)
    {
        var parts = new List<string?> { await R.CommandAsync("DBSIZE") };
        foreach (var key in keys)
        {
            parts.Add(await R.CommandAsync("DUMP", key));
        }

        return string.Join("|", parts);
    }

    [Theory]
    [InlineData(10, Level.Ok)]
    [InlineData(31, Level.Critical)]
    public async Task The_publishers_last_update_epoch_in_a_hash_gives_its_age(int secondsOld, Level expected)
    {
        var epoch = Probe.Now.AddSeconds(-secondsOld).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await R.CommandAsync("HSET", "quantum:harvest:proposal:BTCUSDT", "last_update_epoch", epoch, "side", "long");
        var before = await SnapshotAsync("quantum:harvest:proposal:BTCUSDT");

        var m = await Probe.MeasureAsync(
            Probing(RedisCommand.HGet, "quantum:harvest:proposal:BTCUSDT", "last_update_epoch", ValueKind.Timestamp),
            Probe.Rules(criticalIf: "age > 30s"));

        Probe.Is(expected, m);
        Assert.Equal(secondsOld, m.Quantities[Quantity.Age]);
        Assert.StartsWith($"redis hash quantum:harvest:proposal:BTCUSDT field last_update_epoch is {secondsOld}s old", m.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync("quantum:harvest:proposal:BTCUSDT"));
    }

    [Fact]
    public async Task Get_xlen_and_llen_read_values_and_lengths_without_changing_anything()
    {
        await R.CommandAsync("SET", "queue:depth", "250");
        await R.CommandAsync("XADD", "events", "*", "a", "1");
        await R.CommandAsync("XADD", "events", "*", "a", "2");
        await R.CommandAsync("RPUSH", "jobs", "x", "y", "z");
        var before = await SnapshotAsync("queue:depth", "events", "jobs");

        var get = await Probe.MeasureAsync(Probing(RedisCommand.Get, "queue:depth"), Probe.Rules("value > 100", "value > 1000"));
        var xlen = await Probe.MeasureAsync(Probing(RedisCommand.XLen, "events"), Probe.Rules(criticalIf: "value < 1"));
        var llen = await Probe.MeasureAsync(Probing(RedisCommand.LLen, "jobs"), Probe.Rules("value >= 3"));

        Probe.Is(Level.Warning, get);
        Assert.Equal(250, get.Quantities[Quantity.Value]);
        Probe.Is(Level.Ok, xlen);
        Assert.Equal(2, xlen.Quantities[Quantity.Value]);
        Probe.Is(Level.Warning, llen);
        Assert.Equal("redis list jobs has 3 items (warning if value >= 3)", llen.Reason);
        Assert.Equal(before, await SnapshotAsync("queue:depth", "events", "jobs"));
    }

    [Fact]
    public async Task A_missing_key_a_wrong_type_and_a_naive_timestamp_are_unmeasurable_and_create_nothing()
    {
        await R.CommandAsync("RPUSH", "a-list", "x");
        await R.CommandAsync("SET", "naive", "2026-03-10T11:00:00");
        var before = await SnapshotAsync("a-list", "naive");

        var missing = await Probe.MeasureAsync(Probing(RedisCommand.Get, "no-such-key"));
        var missingField = await Probe.MeasureAsync(Probing(RedisCommand.HGet, "no-such-hash", "f"));
        var wrongType = await Probe.MeasureAsync(Probing(RedisCommand.Get, "a-list"));
        var naive = await Probe.MeasureAsync(Probing(RedisCommand.Get, "naive", value: ValueKind.Timestamp), Probe.Rules("age > 1m"));

        Probe.Unmeasurable(missing, "no-such-key does not exist");
        Probe.Unmeasurable(missingField, "no-such-hash has no field f");
        Probe.Unmeasurable(wrongType, "WRONGTYPE");
        Probe.Unmeasurable(naive, "has no UTC offset");
        Assert.Equal(before, await SnapshotAsync("a-list", "naive"));
        Assert.Null(await R.CommandAsync("GET", "no-such-key"));
    }

    [Fact]
    public async Task A_refused_connection_is_unmeasurable()
    {
        using var refusing = Ports.Refusing();

        // A refusal is immediate; the long timeout only keeps a busy machine's slow first connect attempt from being cut
        // as "timed out" instead.
        var m = await GetOnLoopbackAsync(refusing.Port, TimeSpan.FromSeconds(20));

        Probe.Unmeasurable(m, "cannot reach redis");
    }

    [Fact]
    public async Task A_server_that_accepts_and_never_answers_is_cut_at_the_timeout_and_unmeasurable()
    {
        // A listener that takes the connection and says nothing: a hung redis, a black-holing proxy.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptSocketAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var started = TimeProvider.System.GetTimestamp();
        var m = await GetOnLoopbackAsync(((System.Net.IPEndPoint)silent.LocalEndpoint).Port, TimeSpan.FromMilliseconds(500));
        var took = TimeProvider.System.GetElapsedTime(started);

        await stop.CancelAsync();
        await accepting;
        accepted.ForEach(s => s.Dispose());
        // The run's cut and the client's own connect timeout are both 500 ms; on a busy machine either says it first.
        Assert.True(m.Unmeasurable, $"expected unmeasurable, got {m.Level}: {m.Reason}");
        Assert.True(m.Reason.Contains("did not finish within 500ms (the probe's timeout)", StringComparison.Ordinal)
            || m.Reason.Contains("cannot reach redis", StringComparison.Ordinal), m.Reason);
        Assert.True(took < TimeSpan.FromSeconds(10), $"the probe took {took}, far past its 500 ms timeout");
    }

    /// <summary>A <c>get</c> probe against a loopback port that is not a working redis, on the real clock.</summary>
    private static Task<Measurement> GetOnLoopbackAsync(int port, TimeSpan timeout) =>
        Probe.MeasureAsync(new RedisProbeDefinition { Connection = $"127.0.0.1:{port}", Command = RedisCommand.Get, Key = "k", Timeout = timeout },
            time: TimeProvider.System);
}
