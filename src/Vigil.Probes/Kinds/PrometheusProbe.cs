using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary><c>prometheus</c>: an instant query (<c>GET /api/v1/query?query=…</c>) that must return exactly one
/// sample, a vector of one or a scalar; its number is <c>value</c>.</summary>
internal sealed class PrometheusProbe : IProbeReader
{
    private const int BodyLimit = 4 << 20;

    private readonly PrometheusProbeDefinition _d;
    private readonly TimeProvider _time;
    private readonly HttpClients _http;
    private readonly Uri _query;

    public PrometheusProbe(PrometheusProbeDefinition definition, TimeProvider time)
    {
        _d = definition;
        _time = time;
        _http = new HttpClients(definition.Url, verify: true, caFile: null, definition.Timeout);
        var baseUrl = definition.Url.ToString().TrimEnd('/');
        _query = new Uri($"{baseUrl}/api/v1/query?query={Uri.EscapeDataString(definition.Query)}");
        Subject = $"the Prometheus query {definition.Query}";
    }

    public string Subject { get; }

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        string body;
        int status;
        try
        {
            using var response = await _http.Client.GetAsync(_query, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await HttpClients.ReadBodyAsync(response, BodyLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), Subject, $"{Subject} failed: {_http.CertificateProblem ?? HttpClients.Why(ex)}");
        }

        var at = _time.GetUtcNow();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return ProbeReading.Unmeasurable(at, Subject, $"{_d.Url} answered {status} without Prometheus JSON; is it a Prometheus server?");
        }

        if (root?["status"]?.GetValue<string>() != "success")
        {
            var error = root?["error"]?.GetValue<string>() ?? $"status {status}";
            return ProbeReading.Unmeasurable(at, Subject, $"{Subject} failed: {error}");
        }

        var data = root["data"];
        var type = data?["resultType"]?.GetValue<string>();
        JsonNode? sample = type switch
        {
            "scalar" => data!["result"],
            "vector" when data!["result"] is JsonArray { Count: 1 } one => one[0]?["value"],
            "vector" when data!["result"] is JsonArray many => null,
            _ => null,
        };
        if (sample is null)
        {
            var count = data?["result"] is JsonArray a ? a.Count : -1;
            var why = type == "vector"
                ? count == 0 ? "returned no samples" : $"returned {count} samples; make it return one (sum(), max() or a label filter)"
                : $"returned a {type ?? "malformed"} result, not one sample";
            return ProbeReading.Unmeasurable(at, Subject, $"{Subject} {why}");
        }

        var text = sample is JsonArray { Count: 2 } pair ? pair[1]?.GetValue<string>() : null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
        {
            return ProbeReading.Unmeasurable(at, Subject, $"{Subject} returned '{text}', not a number");
        }

        return ProbeReading.Measured(at, Subject, new Dictionary<string, double> { [Quantity.Value] = value });
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
