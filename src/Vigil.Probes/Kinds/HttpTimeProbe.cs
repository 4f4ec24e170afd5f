using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>http_time</c>: a server's clock against Vigil's. The server's time (a JSON field, or the <c>Date</c>
/// header) is taken as of the middle of the round trip: offset = server − (T1 + round trip / 2). The Date header
/// has whole seconds, truncated, so half a second is added to it and its skew is only good to ±0.5 s.
/// </summary>
internal sealed class HttpTimeProbe : IProbeReader
{
    private const int BodyLimit = 1 << 20;
    private static readonly TimeSpan HalfSecond = TimeSpan.FromMilliseconds(500);

    private readonly HttpTimeProbeDefinition _d;
    private readonly TimeProvider _time;
    private readonly HttpClients _http;
    private readonly JsonPath? _json;

    public HttpTimeProbe(HttpTimeProbeDefinition definition, TimeProvider time)
    {
        _d = definition;
        _time = time;
        _http = new HttpClients(definition.Url, verify: true, caFile: null, definition.Timeout);
        _json = definition.Json is null ? null : JsonPath.Parse(definition.Json);
        Subject = $"the clock of {definition.Url.Host}";
    }

    public string Subject { get; }

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        _http.Reset();
        var t1 = _time.GetUtcNow();
        var sent = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.Client.GetAsync(_d.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), Subject, $"GET {_d.Url} failed: {_http.CertificateProblem ?? HttpClients.Why(ex)}");
        }

        using (response)
        {
            var body = _json is null ? "" : await HttpClients.ReadBodyAsync(response, BodyLimit, cancellationToken).ConfigureAwait(false);
            var roundTrip = _time.GetElapsedTime(sent);
            var at = _time.GetUtcNow();
            var q = new Dictionary<string, double> { [Quantity.Latency] = roundTrip.TotalSeconds };
            if (!response.IsSuccessStatusCode)
            {
                return ProbeReading.Unmeasurable(at, Subject, $"GET {_d.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}", q);
            }

            DateTimeOffset server;
            string source;
            if (_json is null)
            {
                if (response.Headers.Date is not { } date)
                {
                    return ProbeReading.Unmeasurable(at, Subject, $"GET {_d.Url} answered without a Date header; give json: the path of its time field", q);
                }

                server = date + HalfSecond;
                source = "Date header, ±0.5s";
            }
            else
            {
                if (ReadServerTime(body, out server) is { } problem)
                {
                    return ProbeReading.Unmeasurable(at, Subject, problem, q);
                }

                source = _d.Json!;
            }

            var offset = server - (t1 + roundTrip / 2);
            q[Quantity.Skew] = Math.Abs(offset.TotalSeconds);
            var direction = offset > TimeSpan.Zero ? "behind" : "ahead of";
            return ProbeReading.Measured(at, Subject, q, new Dictionary<string, string>
            {
                [Quantity.Skew] = $"Vigil's clock is {Phrasing.Duration(q[Quantity.Skew])} {direction} {_d.Url.Host} ({source}; round trip {Phrasing.Duration(roundTrip.TotalSeconds)})",
                [Quantity.Latency] = $"GET {_d.Url} took {Phrasing.Duration(roundTrip.TotalSeconds)}",
            });
        }
    }

    private string? ReadServerTime(string body, out DateTimeOffset server)
    {
        server = default;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return $"GET {_d.Url} did not answer JSON: {ex.Message}";
        }

        var subject = $"{_d.Json} of {_d.Url}";
        if (!_json!.TrySelect(root, out var node, out var missing))
        {
            return $"{subject}: {missing}";
        }

        var read = new Dictionary<string, double>();
        if (ValueReading.Add(node, ValueKind.Timestamp, DateTimeOffset.UnixEpoch, subject, read, _d.Unit) is { } problem)
        {
            return problem;
        }

        server = DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(read[Quantity.Value] * 1000));
        return null;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
