using System.Text.Json;

namespace Vigil.Client;

/// <summary>A breaker's answer to a permit request.</summary>
public sealed class BreakerPermit
{
    internal BreakerPermit(bool allowed, string state, string? probeToken, DateTimeOffset? probeExpiresAt, TimeSpan? retryAfter, bool unreachable = false)
    {
        Allowed = allowed;
        State = state;
        ProbeToken = probeToken;
        ProbeExpiresAt = probeExpiresAt;
        RetryAfter = retryAfter;
        Unreachable = unreachable;
    }

    /// <summary>True when the call may go ahead.</summary>
    public bool Allowed { get; }

    /// <summary>The breaker's state: <c>closed</c>, <c>open</c>, <c>half_open</c>, <c>forced_open</c> or <c>disabled</c>
    /// (<c>unknown</c> when Vigil could not be asked).</summary>
    public string State { get; }

    /// <summary>Set when this permit is a half-open breaker's probe: pass it to the report, which decides the breaker.</summary>
    public string? ProbeToken { get; }

    /// <summary>When the probe permit expires if it is not reported (its slot is then freed for another prober).</summary>
    public DateTimeOffset? ProbeExpiresAt { get; }

    /// <summary>When refused: how long until asking again makes sense; null when forced open (until someone releases it).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when Vigil could not be reached and the answer is the caller's fail-open or fail-closed choice.</summary>
    public bool Unreachable { get; }

    internal static BreakerPermit From(JsonElement json) => new(
        json.GetProperty("allowed").GetBoolean(),
        json.GetProperty("state").GetString() ?? "",
        json.TryGetProperty("probe_token", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null,
        json.TryGetProperty("probe_expires_at", out var expires) && expires.ValueKind == JsonValueKind.String ? expires.GetDateTimeOffset() : null,
        json.TryGetProperty("retry_after_s", out var retry) && retry.ValueKind == JsonValueKind.Number ? TimeSpan.FromSeconds(retry.GetDouble()) : null);
}

/// <summary>What the caller tells a breaker after a call.</summary>
public enum BreakerOutcome
{
    /// <summary>The call worked.</summary>
    Success,

    /// <summary>The call failed in a way that says the dependency is unwell.</summary>
    Failure,
}

/// <summary>What an operator forces a breaker to.</summary>
public enum BreakerForce
{
    /// <summary>Refuse every call until forced <see cref="Auto"/> or <see cref="Closed"/>.</summary>
    Open,

    /// <summary>Reset to closed with fresh counters; it trips by itself again.</summary>
    Closed,

    /// <summary>Allow every call and count nothing.</summary>
    Disabled,

    /// <summary>Hand the breaker back to its counters (from forced open it probes first).</summary>
    Auto,
}

/// <summary>A breaker as Vigil reports it.</summary>
public sealed class BreakerInfo
{
    internal BreakerInfo(JsonElement json)
    {
        Json = json;
        Name = json.GetProperty("name").GetString() ?? "";
        State = json.GetProperty("state").GetString() ?? "";
        CooldownUntil = Instant(json, "cooldown_until");
        LastSuccessAt = Instant(json, "last_success_at");
        LastFailureAt = Instant(json, "last_failure_at");
        ProbesOut = json.GetProperty("probes_out").GetInt32();
        ConsecutiveFailures = json.GetProperty("counters").GetProperty("consecutive_failures").GetInt32();
    }

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary><c>closed</c>, <c>open</c>, <c>half_open</c>, <c>forced_open</c> or <c>disabled</c>.</summary>
    public string State { get; }

    /// <summary>While open: when it becomes half-open by itself.</summary>
    public DateTimeOffset? CooldownUntil { get; }

    /// <summary>When a call through it last succeeded.</summary>
    public DateTimeOffset? LastSuccessAt { get; }

    /// <summary>When a call through it last failed.</summary>
    public DateTimeOffset? LastFailureAt { get; }

    /// <summary>Probe permits out right now (half-open only).</summary>
    public int ProbesOut { get; }

    /// <summary>Failures in a row since the last success.</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>The whole answer, with settings, counters, probes and the alert.</summary>
    public JsonElement Json { get; }

    private static DateTimeOffset? Instant(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;
}
