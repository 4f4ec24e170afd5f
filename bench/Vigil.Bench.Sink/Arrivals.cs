using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vigil.Bench.Sink;

/// <summary>Every alert the sink received, in arrival order per thread; read out once a stage is over.</summary>
internal sealed class Arrivals
{
    private readonly ConcurrentQueue<Arrival> _alerts = new();
    private readonly ConcurrentDictionary<string, int> _keys = new(StringComparer.Ordinal);
    private long _messages;
    private long _refused;

    /// <summary>Records the alerts of one message; a message the bench cannot read is counted and refused (400), so
    /// a payload change shows up as a failed stage instead of as missing arrivals.</summary>
    public string? Record(DateTimeOffset arrived, string idempotencyKey, JsonElement root)
    {
        // Format vigil: one notification is the object itself; several come in an envelope.
        var batch = new List<Arrival>();
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("notifications", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var n in list.EnumerateArray())
            {
                batch.Add(Read(arrived, idempotencyKey, n));
            }
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("alert", out _))
        {
            batch.Add(Read(arrived, idempotencyKey, root));
        }
        else
        {
            Interlocked.Increment(ref _refused);
            return "neither a Vigil notification nor an envelope with notifications";
        }

        Interlocked.Increment(ref _messages);
        _keys.AddOrUpdate(idempotencyKey, 1, (_, n) => n + 1);
        foreach (var a in batch)
        {
            _alerts.Enqueue(a);
        }

        return null;
    }

    /// <summary>One line: alerts, messages, distinct idempotency keys, refused messages.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"alerts={_alerts.Count} messages={Interlocked.Read(ref _messages)} keys={_keys.Count} refused={Interlocked.Read(ref _refused)}\n");

    /// <summary>arrival (Unix seconds, µs precision), idempotency key, alert, state, check, at, reason.</summary>
    public string Tsv()
    {
        var text = new StringBuilder();
        foreach (var a in _alerts)
        {
            var seconds = (a.Arrived - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;
            text.Append(seconds.ToString("F6", CultureInfo.InvariantCulture)).Append('\t')
                .Append(Clean(a.Key)).Append('\t').Append(Clean(a.Alert)).Append('\t').Append(Clean(a.State)).Append('\t')
                .Append(Clean(a.Check)).Append('\t').Append(Clean(a.At)).Append('\t').Append(Clean(a.Reason)).Append('\n');
        }

        return text.ToString();
    }

    public void Clear()
    {
        _alerts.Clear();
        _keys.Clear();
        Interlocked.Exchange(ref _messages, 0);
        Interlocked.Exchange(ref _refused, 0);
    }

    private static Arrival Read(DateTimeOffset arrived, string key, JsonElement n)
    {
        string? Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        var check = n.TryGetProperty("check", out var c) ? Text(c, "name") : null;
        return new Arrival(arrived, key, Text(n, "alert"), Text(n, "state"), check ?? Text(n, "breaker"), Text(n, "at"), Text(n, "reason"));
    }

    private static string Clean(string? text) =>
        string.IsNullOrEmpty(text) ? "-" : text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    private sealed record Arrival(DateTimeOffset Arrived, string Key, string? Alert, string? State, string? Check, string? At, string? Reason);
}
