using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Client;

/// <summary>Gates, breakers and the audit log.</summary>
public sealed partial class VigilClient
{
    /// <summary>How often <see cref="WaitGateAsync"/> asks. The default value is 1 second.</summary>
    public static readonly TimeSpan DefaultGatePollInterval = TimeSpan.FromSeconds(1);

    /// <summary>A breaker by name, to ask for permits and report outcomes.</summary>
    public VigilBreaker Breaker(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new VigilBreaker(this, name);
    }

    /// <summary>Every breaker (needs a <c>read</c> key).</summary>
    public async Task<IReadOnlyList<BreakerInfo>> ListBreakersAsync(CancellationToken ct = default)
    {
        var json = await GetJsonAsync("api/v1/breakers", ct).ConfigureAwait(false);
        return [.. json.GetProperty("breakers").EnumerateArray().Select(b => new BreakerInfo(b.Clone()))];
    }

    /// <summary>Asks whether a gate is open (a closed gate is an answer, not an error). When Vigil cannot be reached,
    /// <paramref name="failOpen"/> decides (default false: a gate fails closed); the answer then has
    /// <see cref="GateInfo.Unreachable"/> set.</summary>
    /// <exception cref="VigilApiException">The server refused the request (unknown gate, bad key).</exception>
    public async Task<GateInfo> GetGateAsync(string name, bool failOpen = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, $"api/v1/gates/{Uri.EscapeDataString(name)}"));
            using var response = await SendAsync(request, ct).ConfigureAwait(false);
            if (response.StatusCode != (HttpStatusCode)423)
            {
                await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
            }

            return new GateInfo(await ReadJsonAsync(response, ct).ConfigureAwait(false));
        }
        catch (VigilUnreachableException ex) when (!ct.IsCancellationRequested)
        {
            if (failOpen)
            {
                return new GateInfo(JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["name"] = name, ["open"] = true, ["reasons"] = Array.Empty<object>() }),
                    unreachable: true);
            }

            return GateInfo.UnreachableAnswer(name, $"Vigil could not be asked ({ex.Message}); a gate fails closed");
        }
    }

    /// <summary>Waits until the gate is open, asking every <paramref name="pollInterval"/>; returns the last
    /// answer, which is closed when <paramref name="timeout"/> (null: no limit) ran out first.</summary>
    public async Task<GateInfo> WaitGateAsync(string name, TimeSpan? timeout = null, TimeSpan? pollInterval = null, bool failOpen = false,
        CancellationToken ct = default)
    {
        using var limit = timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        var gate = await GetGateAsync(name, failOpen, ct).ConfigureAwait(false);
        while (!gate.Open)
        {
            try
            {
                await Task.Delay(pollInterval ?? DefaultGatePollInterval, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return gate;
            }

            gate = await GetGateAsync(name, failOpen, ct).ConfigureAwait(false);
        }

        return gate;
    }

    /// <summary>Engages a gate's kill switch (needs an <c>admin</c> key); audited with the key's name and the reason.</summary>
    public Task<GateInfo> KillGateAsync(string name, string reason, CancellationToken ct = default) => SetKillSwitchAsync(name, "kill", reason, ct);

    /// <summary>Releases a gate's kill switch (needs an <c>admin</c> key); audited with the key's name and the reason.</summary>
    public Task<GateInfo> ReleaseGateAsync(string name, string reason, CancellationToken ct = default) => SetKillSwitchAsync(name, "release", reason, ct);

    /// <summary>The audit log, newest first (needs an <c>admin</c> key).</summary>
    public async Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit = 100, DateTimeOffset? since = null, CancellationToken ct = default)
    {
        var url = "api/v1/audit?limit=" + limit.ToString(CultureInfo.InvariantCulture) + (since is { } s ? "&since=" + Uri.EscapeDataString(Format(s)) : "");
        var json = await GetJsonAsync(url, ct).ConfigureAwait(false);
        return [.. json.GetProperty("entries").EnumerateArray().Select(e => new AuditRecord(
            e.GetProperty("at").GetDateTimeOffset(), e.GetProperty("key").GetString() ?? "", e.GetProperty("action").GetString() ?? "",
            e.GetProperty("target").GetString() ?? "", e.GetProperty("reason").GetString() ?? ""))];
    }

    private async Task<GateInfo> SetKillSwitchAsync(string name, string action, string reason, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var response = await PostAsync($"api/v1/gates/{Uri.EscapeDataString(name)}/{action}", new JsonObject { ["reason"] = reason }, ct).ConfigureAwait(false);
        if (response.StatusCode != (HttpStatusCode)423)
        {
            await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        }

        return new GateInfo(await ReadJsonAsync(response, ct).ConfigureAwait(false));
    }

    internal Task<JsonElement> GetForBreakerAsync(string url, CancellationToken ct) => GetJsonAsync(url, ct);

    internal async Task<JsonElement> PostJsonAsync(string url, JsonObject body, CancellationToken ct)
    {
        using var response = await PostAsync(url, body, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }
}
