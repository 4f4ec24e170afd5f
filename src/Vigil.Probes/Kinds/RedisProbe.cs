using StackExchange.Redis;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>redis</c>: one read command — GET, HGET, XLEN or LLEN — and nothing else: the client is set up without
/// its configuration-change subscription and tie-breaker, so no command beyond the connection handshake and
/// the read is ever sent. The connection is made on the first run and kept (the client reconnects by itself);
/// a run that cannot connect is unmeasurable and the next run tries again.
/// </summary>
internal sealed class RedisProbe(RedisProbeDefinition definition, TimeProvider time) : IProbeReader
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public string Subject { get; } = definition.Command switch
    {
        RedisCommand.HGet => $"redis hash {definition.Key} field {definition.Field}",
        RedisCommand.XLen => $"redis stream {definition.Key}",
        RedisCommand.LLen => $"redis list {definition.Key}",
        _ => $"redis key {definition.Key}",
    };

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            var db = (await ConnectAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
            RedisValue value = definition.Command switch
            {
                RedisCommand.HGet => await db.HashGetAsync(definition.Key, definition.Field).WaitAsync(cancellationToken).ConfigureAwait(false),
                RedisCommand.XLen => await db.StreamLengthAsync(definition.Key).WaitAsync(cancellationToken).ConfigureAwait(false),
                RedisCommand.LLen => await db.ListLengthAsync(definition.Key).WaitAsync(cancellationToken).ConfigureAwait(false),
                _ => await db.StringGetAsync(definition.Key).WaitAsync(cancellationToken).ConfigureAwait(false),
            };
            var at = time.GetUtcNow();
            var q = new Dictionary<string, double> { [Quantity.Latency] = time.GetElapsedTime(started).TotalSeconds };
            if (value.IsNull)
            {
                var what = definition.Command == RedisCommand.HGet ? $"{definition.Key} has no field {definition.Field} (or does not exist)" : $"{definition.Key} does not exist";
                return ProbeReading.Unmeasurable(at, Subject, $"redis: {what}", q);
            }

            if (definition.Command is RedisCommand.XLen or RedisCommand.LLen)
            {
                q[Quantity.Value] = (long)value;
                var noun = definition.Command == RedisCommand.XLen ? "entries" : "items";
                return ProbeReading.Measured(at, Subject, q, new Dictionary<string, string> { [Quantity.Value] = $"{Subject} has {(long)value} {noun}" });
            }

            return ValueReading.Add((string?)value, definition.Value, at, Subject, q) is { } problem
                ? ProbeReading.Unmeasurable(at, Subject, problem, q)
                : ProbeReading.Measured(at, Subject, q);
        }
        catch (RedisServerException ex)
        {
            return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{Subject}: {ex.Message}");
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{Subject}: cannot reach redis: {FirstLine(ex.Message)}");
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken ct)
    {
        if (_redis is { } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_redis is not null)
            {
                return _redis;
            }

            var options = ConfigurationOptions.Parse(definition.Connection);
            var ms = (int)Math.Min(int.MaxValue, definition.Timeout.TotalMilliseconds);
            options.ConnectTimeout = ms;
            options.AsyncTimeout = ms;
            options.SyncTimeout = ms;
            options.ConnectRetry = 1;
            options.AbortOnConnectFail = true;
            options.AllowAdmin = false;
            options.ClientName = "vigil-probe";
            options.ConfigurationChannel = "";
            options.TieBreaker = "";
            var connecting = ConnectionMultiplexer.ConnectAsync(options);
            try
            {
                _redis = await connecting.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Abandoned at the timeout: a connection that completes later must not linger.
                _ = connecting.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                throw;
            }

            return _redis;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    public async ValueTask DisposeAsync()
    {
        if (_redis is { } redis)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }
}
