using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Vigil.Client;

/// <summary>
/// A small client for Vigil's HTTP API, used by the <c>vigil</c> CLI and usable from any .NET program.
/// Failures are exceptions that say which kind: <see cref="VigilUnreachableException"/> (no answer) or
/// <see cref="VigilApiException"/> (an answer that said no).
/// </summary>
public sealed partial class VigilClient : IDisposable
{
    /// <summary>Where Vigil listens by default: <c>http://127.0.0.1:8470</c>.</summary>
    public static readonly Uri DefaultServer = new("http://127.0.0.1:8470");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string? _apiKey;

    /// <summary>A client of <paramref name="server"/> whose calls throw on every failure (the CLI's client).</summary>
    /// <param name="server">Vigil's base address.</param>
    /// <param name="apiKey">The API key; pings by name use it as the ping key.</param>
    /// <param name="http">An HttpClient to use (not disposed by the client); a new one when null.</param>
    /// <param name="timeout">The timeout of a new HttpClient; 15 seconds when null.</param>
    public VigilClient(Uri server, string? apiKey, HttpClient? http = null, TimeSpan? timeout = null)
    {
        _apiKey = apiKey;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
        _http.BaseAddress ??= server;
        if (_ownsHttp)
        {
            _http.Timeout = timeout ?? TimeSpan.FromSeconds(15);
        }
    }

    /// <summary>Vigil's base address.</summary>
    public Uri Server => _http.BaseAddress!;

    /// <summary>Disposes the HttpClient when the client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Sends a Healthchecks-style ping by check name, using the client's key as the ping key. Throws
    /// <see cref="VigilUnreachableException"/> or <see cref="VigilApiException"/> on failure.</summary>
    /// <param name="check">The check's name.</param>
    /// <param name="kind">What the ping says.</param>
    /// <param name="exitStatus">An exit status (0 success, 1–255 failure) instead of <paramref name="kind"/>.</param>
    /// <param name="rid">Ties a start to its end.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="body">Kept as the run's log.</param>
    /// <param name="lateAt">When the signal really happened, for a spooled late report.</param>
    /// <param name="create">Creates the check when missing (<c>?create=1</c>).</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The HTTP status (200, or 201 when created).</returns>
    public async Task<int> PingAsync(string check, PingKind kind = PingKind.Success, int? exitStatus = null, Guid? rid = null,
        DateTimeOffset? dataTs = null, string? body = null, DateTimeOffset? lateAt = null, bool create = false, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(_apiKey))
        {
            throw new InvalidOperationException("pinging by check name needs an API key (ping scope or higher)");
        }

        var suffix = exitStatus is { } code ? "/" + code.ToString(CultureInfo.InvariantCulture) : kind switch
        {
            PingKind.Start => "/start",
            PingKind.Fail => "/fail",
            PingKind.Log => "/log",
            _ => "",
        };
        var query = new List<string>();
        if (rid is { } r) query.Add("rid=" + r);
        if (dataTs is { } d) query.Add("data_ts=" + Uri.EscapeDataString(Format(d)));
        if (lateAt is { } l) query.Add("late_at=" + Uri.EscapeDataString(Format(l)));
        if (create) query.Add("create=1");
        var url = $"ping/{Uri.EscapeDataString(_apiKey)}/{Uri.EscapeDataString(check)}{suffix}" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body ?? "", Encoding.UTF8, "text/plain"),
        };
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new VigilApiException((int)response.StatusCode, $"ping of '{check}' answered {(int)response.StatusCode}: {text.Trim()}");
        }

        return (int)response.StatusCode;
    }

    /// <summary>Asks for the check's lease; the holders when it is held. Throws on any other failure.</summary>
    /// <param name="check">The check's name.</param>
    /// <param name="ttl">How long it lasts unless renewed (whole seconds); the check's max_runtime when null.</param>
    /// <param name="holder">Who asks (host:pid by convention).</param>
    /// <param name="rid">The run id to record; Vigil makes one when null.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The grant, or the holders.</returns>
    public async Task<AcquireResult> AcquireAsync(string check, TimeSpan? ttl, string holder, Guid? rid = null, DateTimeOffset? dataTs = null,
        CancellationToken ct = default)
    {
        var body = new JsonObject { ["holder"] = holder };
        if (ttl is { } t) body["ttl"] = (long)Math.Ceiling(t.TotalSeconds);
        if (rid is { } r) body["rid"] = r.ToString();
        if (dataTs is { } d) body["data_ts"] = Format(d);
        using var response = await PostAsync($"api/v1/checks/{Uri.EscapeDataString(check)}/lease/acquire", body, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var problem = await ReadJsonAsync(response, ct).ConfigureAwait(false);
            var holders = new List<LeaseHolder>();
            if (problem.TryGetProperty("holders", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var h in list.EnumerateArray())
                {
                    holders.Add(new LeaseHolder(
                        h.GetProperty("holder").GetString() ?? "",
                        h.GetProperty("expires_at").GetDateTimeOffset(),
                        h.TryGetProperty("rid", out var rr) && rr.ValueKind == JsonValueKind.String ? rr.GetGuid() : null));
                }
            }

            return new AcquireResult(null, holders);
        }

        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        var grant = await response.Content.ReadFromJsonAsync<LeaseGrant>(Json, ct).ConfigureAwait(false);
        return new AcquireResult(grant, []);
    }

    /// <summary>Renews; returns null when the lease is gone (expired or released): the holder must stop acting on it.</summary>
    /// <param name="check">The check's name.</param>
    /// <param name="token">The lease token.</param>
    /// <param name="ttl">A new TTL; the lease's own when null.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The new expiry, or null when the lease is gone.</returns>
    public async Task<DateTimeOffset?> RenewAsync(string check, string token, TimeSpan? ttl = null, DateTimeOffset? dataTs = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["token"] = token };
        if (ttl is { } t) body["ttl"] = (long)Math.Ceiling(t.TotalSeconds);
        if (dataTs is { } d) body["data_ts"] = Format(d);
        using var response = await PostAsync($"api/v1/checks/{Uri.EscapeDataString(check)}/lease/renew", body, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        var json = await ReadJsonAsync(response, ct).ConfigureAwait(false);
        return json.GetProperty("expires_at").GetDateTimeOffset();
    }

    /// <summary>Releases with an outcome; returns false when the lease was already gone (the outcome is still recorded).</summary>
    /// <param name="check">The check's name.</param>
    /// <param name="token">The lease token.</param>
    /// <param name="outcome">How the job went.</param>
    /// <param name="exitCode">Its exit status.</param>
    /// <param name="message">One line on how it went.</param>
    /// <param name="log">The output's tail.</param>
    /// <param name="dataTs">The time of the newest data the job has.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>True when recorded as the lease's end.</returns>
    public async Task<bool> ReleaseAsync(string check, string token, LeaseOutcome outcome, int? exitCode = null, string? message = null,
        string? log = null, DateTimeOffset? dataTs = null, CancellationToken ct = default)
    {
        var body = new JsonObject
        {
            ["token"] = token,
            ["outcome"] = outcome == LeaseOutcome.Success ? "success" : "fail",
        };
        if (exitCode is { } e) body["exit_code"] = e;
        if (message is not null) body["message"] = message;
        if (log is not null) body["log"] = log;
        if (dataTs is { } d) body["data_ts"] = Format(d);
        using var response = await PostAsync($"api/v1/checks/{Uri.EscapeDataString(check)}/lease/release", body, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            return false;
        }

        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Every check (following the server's pages), optionally only those with <paramref name="tag"/>.</summary>
    /// <param name="tag">Only checks with this tag.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The checks, by name.</returns>
    public async Task<IReadOnlyList<CheckInfo>> ListChecksAsync(string? tag = null, CancellationToken ct = default)
    {
        // The server pages its list; follow the cursor to the end so callers see every check.
        var checks = new List<CheckInfo>();
        string? cursor = null;
        do
        {
            var query = new List<string>();
            if (tag is not null) query.Add("tag=" + Uri.EscapeDataString(tag));
            if (cursor is not null) query.Add("cursor=" + Uri.EscapeDataString(cursor));
            var json = await GetJsonAsync("api/v1/checks" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct).ConfigureAwait(false);
            checks.AddRange(json.GetProperty("checks").Deserialize<List<CheckInfo>>(Json) ?? []);
            cursor = json.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        return checks;
    }

    /// <summary>One check with its settings, open runs, leases and alerts, as JSON.</summary>
    /// <param name="name">The check's name.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The server's answer.</returns>
    public Task<JsonElement> GetCheckAsync(string name, CancellationToken ct = default) =>
        GetJsonAsync($"api/v1/checks/{Uri.EscapeDataString(name)}", ct);

    /// <summary>The check's runs, newest first, as JSON.</summary>
    /// <param name="name">The check's name.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The server's answer.</returns>
    public Task<JsonElement> GetRunsAsync(string name, int limit = 20, CancellationToken ct = default) =>
        GetJsonAsync($"api/v1/checks/{Uri.EscapeDataString(name)}/runs?limit={limit}", ct);

    /// <summary>Vigil's overall level and its components that are not ok, as JSON.</summary>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The server's answer.</returns>
    public Task<JsonElement> HealthAsync(CancellationToken ct = default) => GetJsonAsync("api/v1/health", ct);

    /// <summary>Pauses a check: no deadlines until resumed.</summary>
    /// <param name="name">The check's name.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The server's answer.</returns>
    public async Task<JsonElement> PauseAsync(string name, CancellationToken ct = default) =>
        await PostForJsonAsync($"api/v1/checks/{Uri.EscapeDataString(name)}/pause", ct).ConfigureAwait(false);

    /// <summary>Resumes a paused check.</summary>
    /// <param name="name">The check's name.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The server's answer.</returns>
    public async Task<JsonElement> ResumeAsync(string name, CancellationToken ct = default) =>
        await PostForJsonAsync($"api/v1/checks/{Uri.EscapeDataString(name)}/resume", ct).ConfigureAwait(false);

    /// <summary>Deletes a check created through the API.</summary>
    /// <param name="name">The check's name.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>A task that completes when it is deleted.</returns>
    public async Task DeleteCheckAsync(string name, CancellationToken ct = default)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/checks/{Uri.EscapeDataString(name)}"));
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Creates or replaces a check from a JSON object with the same keys as vigil.yaml.</summary>
    /// <param name="name">The check's name.</param>
    /// <param name="definition">Its settings.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The server's answer.</returns>
    public async Task<JsonElement> PutCheckAsync(string name, JsonObject definition, CancellationToken ct = default)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Put, $"api/v1/checks/{Uri.EscapeDataString(name)}")
        {
            Content = new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"),
        });
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Creates an API key (admin).</summary>
    /// <param name="name">Its name.</param>
    /// <param name="scope">ping, read, write or admin.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The key, shown only this once.</returns>
    public async Task<CreatedKey> CreateKeyAsync(string name, string scope, CancellationToken ct = default)
    {
        using var response = await PostAsync("api/v1/keys", new JsonObject { ["name"] = name, ["scope"] = scope }, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<CreatedKey>(Json, ct).ConfigureAwait(false))!;
    }

    /// <summary>The API keys (never their secrets).</summary>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The keys.</returns>
    public async Task<IReadOnlyList<KeyInfo>> ListKeysAsync(CancellationToken ct = default)
    {
        var json = await GetJsonAsync("api/v1/keys", ct).ConfigureAwait(false);
        return json.GetProperty("keys").Deserialize<List<KeyInfo>>(Json) ?? [];
    }

    /// <summary>Revokes an API key.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>A task that completes when it is revoked.</returns>
    public async Task RevokeKeyAsync(string name, CancellationToken ct = default)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/keys/{Uri.EscapeDataString(name)}"));
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Creates a silence: <c>{"match": {"check"?, "tags"?, "severity"?}, "starts_at"?, "ends_at" | "duration", "reason"}</c>.</summary>
    public async Task<JsonElement> AddSilenceAsync(JsonObject silence, CancellationToken ct = default)
    {
        using var response = await PostAsync("api/v1/silences", silence, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Pending and active silences, and the config's maintenance windows.</summary>
    public Task<JsonElement> ListSilencesAsync(CancellationToken ct = default) => GetJsonAsync("api/v1/silences", ct);

    /// <summary>Ends a silence now; what it held back and is still owed is sent.</summary>
    public async Task<JsonElement> ExpireSilenceAsync(Guid id, CancellationToken ct = default)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/silences/{id}"));
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>The running mode and the declared ones (<c>GET /api/v1/mode</c>).</summary>
    public Task<JsonElement> GetModeAsync(CancellationToken ct = default) => GetJsonAsync("api/v1/mode", ct);

    /// <summary>Switches the running mode at once (an admin key; the reason is recorded with the change).</summary>
    public async Task<JsonElement> SetModeAsync(string mode, string reason, CancellationToken ct = default)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Put, "api/v1/mode")
        {
            Content = new StringContent(new JsonObject { ["mode"] = mode, ["reason"] = reason }.ToJsonString(), Encoding.UTF8, "application/json"),
        });
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a test notification through one receiver right now (not through routes or the outbox) and says how it
    /// went. A receiver that fails is a result with <see cref="ReceiverTestResult.Delivered"/> false, not an exception.
    /// </summary>
    /// <param name="name">The receiver's name in the server's config.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="VigilApiException">404 when no receiver has that name; 401/403 without a write key.</exception>
    /// <exception cref="VigilUnreachableException">The server could not be reached.</exception>
    public async Task<ReceiverTestResult> TestReceiverAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var json = await PostForJsonAsync($"api/v1/receivers/{Uri.EscapeDataString(name)}/test", ct).ConfigureAwait(false);
        return json.Deserialize<ReceiverTestResult>(Json) ?? throw new VigilApiException(200, "the server answered the receiver test with null");
    }

    private async Task<JsonElement> GetJsonAsync(string url, CancellationToken ct)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, url));
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    private async Task<JsonElement> PostForJsonAsync(string url, CancellationToken ct)
    {
        using var response = await PostAsync(url, new JsonObject(), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> PostAsync(string url, JsonObject body, CancellationToken ct)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        });
        return await SendAsync(request, ct).ConfigureAwait(false);
    }

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(_apiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new VigilUnreachableException($"cannot reach Vigil at {Server}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new VigilUnreachableException($"Vigil at {Server} did not answer in time", ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        JsonElement? problem = null;
        var message = text.Trim();
        try
        {
            using var doc = JsonDocument.Parse(text);
            problem = doc.RootElement.Clone();
            if (problem.Value.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d)
            {
                message = d;
            }
            else if (problem.Value.TryGetProperty("title", out var title))
            {
                message = title.GetString() ?? message;
            }
        }
        catch (JsonException)
        {
        }

        throw new VigilApiException((int)response.StatusCode, $"{(int)response.StatusCode}: {message}", problem);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        return doc.RootElement.Clone();
    }

    private static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
