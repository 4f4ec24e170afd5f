using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary><c>http</c>: one request; <c>status</c>, <c>latency</c>, <c>days_left</c> over https, and a value
/// read from the JSON body. An unexpected status or a body not matching <c>expect_body</c> is critical.</summary>
internal sealed class HttpProbe : IProbeReader
{
    /// <summary>A health answer is small; more is not read. The default value is 1 MiB.</summary>
    private const int BodyLimit = 1 << 20;

    private readonly HttpProbeDefinition _d;
    private readonly TimeProvider _time;
    private readonly HttpClients _http;
    private readonly IReadOnlyList<StatusRange>? _expect;
    private readonly JsonPath? _json;
    private readonly Regex? _expectBody;

    public HttpProbe(HttpProbeDefinition definition, ProbeRules rules, TimeProvider time)
    {
        _d = definition;
        _time = time;
        _http = new HttpClients(definition.Url, definition.TlsVerify, definition.CaFile, definition.Timeout);
        // Without expect_status, 200 is expected — unless a condition judges the status itself.
        _expect = definition.ExpectStatus ?? (rules.Names(Quantity.Status) ? null : HttpProbeDefinition.DefaultExpectStatus);
        _json = definition.Json is null ? null : JsonPath.Parse(definition.Json);
        _expectBody = definition.ExpectBody is null ? null : new Regex(definition.ExpectBody, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        Subject = $"{definition.Method} {definition.Url}";
    }

    public string Subject { get; }

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        _http.Reset();
        using var request = new HttpRequestMessage(new HttpMethod(_d.Method), _d.Url);
        if (_d.Body is not null)
        {
            request.Content = new StringContent(_d.Body);
        }

        foreach (var (name, value) in _d.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var started = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            var why = _http.CertificateProblem is { } certificate ? $"{certificate} (tls_verify: false or ca_file: to accept it)" : HttpClients.Why(ex);
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), Subject, $"{Subject} failed: {why}");
        }

        using (response)
        {
            var needBody = _json is not null || _expectBody is not null;
            var body = needBody ? await HttpClients.ReadBodyAsync(response, BodyLimit, cancellationToken).ConfigureAwait(false) : "";
            var at = _time.GetUtcNow();
            var status = (int)response.StatusCode;
            var q = new Dictionary<string, double>
            {
                [Quantity.Status] = status,
                [Quantity.Latency] = _time.GetElapsedTime(started).TotalSeconds,
            };
            if (!needBody)
            {
                await HttpClients.DrainAsync(response, cancellationToken).ConfigureAwait(false);
            }

            var phrases = new Dictionary<string, string>();
            if (_http.CertificateNotAfter is { } notAfter)
            {
                q[Quantity.DaysLeft] = (notAfter - at).TotalDays;
                phrases[Quantity.DaysLeft] = $"the certificate of {_d.Url.Host} expires in {Phrasing.Number(Math.Round(q[Quantity.DaysLeft], 1))} days";
            }

            if (_expect is not null && !_expect.Any(r => r.Contains(status)))
            {
                return ProbeReading.Decided(at, Subject, Level.Critical, $"{Subject} answered {status} {response.ReasonPhrase}, expected {string.Join(" or ", _expect)}", q);
            }

            if (_expectBody is not null && !_expectBody.IsMatch(body))
            {
                return ProbeReading.Decided(at, Subject, Level.Critical, $"{Subject} answered {status}, but its body does not match {_d.ExpectBody}", q);
            }

            if (_json is not null)
            {
                var subject = $"{_d.Json} of {Subject}";
                if (ReadJson(body, subject, out var node) is { } problem)
                {
                    return ProbeReading.Unmeasurable(at, Subject, problem, q);
                }

                if (ValueReading.Add(node, _d.Value, at, subject, q) is { } valueProblem)
                {
                    return ProbeReading.Unmeasurable(at, Subject, valueProblem, q);
                }

                if (q.TryGetValue(Quantity.Age, out var age))
                {
                    phrases[Quantity.Age] = ProbeJudge.Phrase(new ProbeReading { At = at, Subject = subject }, Quantity.Age, age);
                }

                phrases[Quantity.Value] = $"{subject} is {Phrasing.Number(q[Quantity.Value])}";
            }

            phrases[Quantity.Status] = $"{Subject} answered {status}";
            return ProbeReading.Measured(at, Subject, q, phrases);
        }
    }

    private string? ReadJson(string body, string subject, out JsonNode? node)
    {
        node = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return $"{Subject} did not answer JSON: {ex.Message}";
        }

        return _json!.TrySelect(root, out node, out var missing) ? null : $"{subject}: {missing}";
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
