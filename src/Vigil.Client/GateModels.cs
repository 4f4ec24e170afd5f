using System.Text.Json;

namespace Vigil.Client;

/// <summary>A gate's answer: open, or closed with every reason, and its kill switch.</summary>
public sealed class GateInfo
{
    internal GateInfo(JsonElement json, bool unreachable = false)
    {
        Json = json;
        Unreachable = unreachable;
        Name = json.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "";
        Open = json.GetProperty("open").GetBoolean();
        Reasons = [.. json.GetProperty("reasons").EnumerateArray().Select(r => new GateReason(
            r.GetProperty("kind").GetString() ?? "", r.GetProperty("name").GetString() ?? "", r.GetProperty("detail").GetString() ?? ""))];
        if (json.TryGetProperty("kill", out var kill) && kill.ValueKind == JsonValueKind.Object)
        {
            Kill = new KillSwitchInfo(
                kill.GetProperty("engaged").GetBoolean(),
                kill.GetProperty("reason").GetString(),
                kill.GetProperty("by").GetString(),
                kill.GetProperty("at").ValueKind == JsonValueKind.String ? kill.GetProperty("at").GetDateTimeOffset() : null);
        }
    }

    /// <summary>The gate's name.</summary>
    public string Name { get; }

    /// <summary>True when the program may proceed.</summary>
    public bool Open { get; }

    /// <summary>Why it is closed (empty when open).</summary>
    public IReadOnlyList<GateReason> Reasons { get; }

    /// <summary>The gate's kill switch as last set; null for the answer about every gate.</summary>
    public KillSwitchInfo? Kill { get; }

    /// <summary>True when Vigil could not be reached and this closed answer is the fail-closed default.</summary>
    public bool Unreachable { get; }

    /// <summary>The whole answer.</summary>
    public JsonElement Json { get; }

    /// <summary>One line for people: "open", or "closed: kill trading: …; breaker binance-api: …".</summary>
    public override string ToString() =>
        Open ? "open" : "closed: " + string.Join("; ", Reasons.Select(r => $"{r.Kind} {r.Name}: {r.Detail}"));

    internal static GateInfo UnreachableAnswer(string name, string why) =>
        new(JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["name"] = name,
            ["open"] = false,
            ["reasons"] = new[] { new Dictionary<string, string> { ["kind"] = "vigil", ["name"] = name, ["detail"] = why } },
        }), unreachable: true);
}

/// <summary>One reason a gate is closed: <see cref="Kind"/> is <c>kill</c>, <c>check</c> or <c>breaker</c>.</summary>
public sealed record GateReason(string Kind, string Name, string Detail);

/// <summary>A gate's kill switch: engaged or released, why, by which key, and when.</summary>
public sealed record KillSwitchInfo(bool Engaged, string? Reason, string? By, DateTimeOffset? At);

/// <summary>One entry of the audit log: who did what, to what, why and when.</summary>
public sealed record AuditRecord(DateTimeOffset At, string Key, string Action, string Target, string Reason);
