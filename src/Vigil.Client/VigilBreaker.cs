using System.Net;
using System.Text.Json.Nodes;

namespace Vigil.Client;

/// <summary>
/// A shared circuit breaker: ask <see cref="PermitAsync"/> before a call to the dependency it protects, and
/// <see cref="ReportAsync"/> the outcome after (with the permit's probe token when there is one). Get one
/// from <see cref="VigilClient.Breaker(string)"/>.
/// </summary>
public sealed class VigilBreaker
{
    private readonly VigilClient _client;

    internal VigilBreaker(VigilClient client, string name)
    {
        _client = client;
        Name = name;
    }

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>Asks for a permit. When Vigil cannot be reached, <paramref name="failOpen"/> decides (default
    /// true: monitoring never stops a call by itself); the answer then has <see cref="BreakerPermit.Unreachable"/> set.</summary>
    /// <exception cref="VigilApiException">The server refused the request (unknown breaker, bad key).</exception>
    public async Task<BreakerPermit> PermitAsync(string? holder = null, bool failOpen = true, CancellationToken ct = default)
    {
        var body = new JsonObject();
        if (holder is not null) body["holder"] = holder;
        try
        {
            var json = await _client.PostJsonAsync($"api/v1/breakers/{Uri.EscapeDataString(Name)}/permit", body, ct).ConfigureAwait(false);
            return BreakerPermit.From(json);
        }
        catch (VigilUnreachableException) when (!ct.IsCancellationRequested)
        {
            return new BreakerPermit(failOpen, "unknown", null, null, failOpen ? null : TimeSpan.FromSeconds(1), unreachable: true);
        }
    }

    /// <summary>Reports a call's outcome; with <paramref name="probeToken"/>, the probe's result that closes or
    /// reopens the breaker. Returns false when that probe permit was no longer out (it expired or the breaker
    /// moved on): the report changed nothing.</summary>
    /// <exception cref="VigilUnreachableException">Vigil could not be reached.</exception>
    /// <exception cref="VigilApiException">The server refused the request.</exception>
    public async Task<bool> ReportAsync(BreakerOutcome outcome, string? probeToken = null, string? error = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["outcome"] = outcome == BreakerOutcome.Success ? "success" : "failure" };
        if (probeToken is not null) body["probe_token"] = probeToken;
        if (error is not null) body["error"] = error;
        try
        {
            await _client.PostJsonAsync($"api/v1/breakers/{Uri.EscapeDataString(Name)}/report", body, ct).ConfigureAwait(false);
            return true;
        }
        catch (VigilApiException ex) when (ex.Status == (int)HttpStatusCode.Gone)
        {
            return false;
        }
    }

    /// <summary>Forces the breaker (needs a <c>write</c> key); the reason goes to the audit log.</summary>
    public async Task<BreakerInfo> ForceAsync(BreakerForce force, string reason, CancellationToken ct = default)
    {
        var json = await _client.PostJsonAsync($"api/v1/breakers/{Uri.EscapeDataString(Name)}/force",
            new JsonObject { ["state"] = force.ToString().ToLowerInvariant(), ["reason"] = reason }, ct).ConfigureAwait(false);
        return new BreakerInfo(json);
    }

    /// <summary>The breaker's state, counters and probes (needs a <c>read</c> key).</summary>
    public async Task<BreakerInfo> GetAsync(CancellationToken ct = default) =>
        new(await _client.GetForBreakerAsync($"api/v1/breakers/{Uri.EscapeDataString(Name)}", ct).ConfigureAwait(false));
}
