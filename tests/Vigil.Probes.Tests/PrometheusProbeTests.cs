using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

/// <summary>Against a loopback HTTP server answering /api/v1/query in Prometheus's wire format (Prometheus itself
/// is not installed on the test machines); the query it receives is checked too.</summary>
public sealed class PrometheusProbeTests : IAsyncLifetime
{
    private LoopbackWeb? _web;

    public async Task InitializeAsync() => _web = await LoopbackWeb.StartAsync(app => app.MapGet("/api/v1/query", (string query) => query switch
    {
        "up{job=\"scanner\"}" => Vector("""{"metric":{"job":"scanner"},"value":[1773144000.1,"1"]}"""),
        "queue_depth" => Vector("""{"metric":{},"value":[1773144000.1,"250"]}"""),
        "nothing" => Vector(""),
        "up" => Vector("""{"metric":{"i":"a"},"value":[1,"1"]},{"metric":{"i":"b"},"value":[1,"0"]}"""),
        "up{i=\"b\"}" => Vector("""{"metric":{"i":"b"},"value":[1,"0"]}"""),
        "scalar(7)" => Results.Text("""{"status":"success","data":{"resultType":"scalar","result":[1773144000.1,"7"]}}""", "application/json"),
        _ => Results.Text("""{"status":"error","errorType":"bad_data","error":"parse error at char 1"}""", "application/json", statusCode: 400),
    }));

    private static IResult Vector(string samples) =>
        Results.Text("""{"status":"success","data":{"resultType":"vector","result":[""" + samples + "]}}", "application/json");

    public async Task DisposeAsync() => await _web!.DisposeAsync();

    private PrometheusProbeDefinition Query(string query) => new() { Url = _web!.Url, Query = query };

    [Fact]
    public async Task One_sample_is_the_value()
    {
        var up = await Probe.MeasureAsync(Query("up{job=\"scanner\"}"), Probe.Rules(criticalIf: "value == 0"));
        var depth = await Probe.MeasureAsync(Query("queue_depth"), Probe.Rules("value > 100", "value > 1000"));
        var scalar = await Probe.MeasureAsync(Query("scalar(7)"), Probe.Rules("value > 5"));

        Probe.Is(Level.Ok, up);
        Assert.Equal(1, up.Quantities[Quantity.Value]);
        Probe.Is(Level.Warning, depth);
        Probe.Is(Level.Warning, scalar);

        // The scanner's backlog past its critical line, and a target that is down.
        Probe.Is(Level.Critical, await Probe.MeasureAsync(Query("queue_depth"), Probe.Rules("value > 100", "value > 200")));
        Probe.Is(Level.Critical, await Probe.MeasureAsync(Query("up{i=\"b\"}"), Probe.Rules(criticalIf: "value == 0")));
    }

    [Fact]
    public async Task No_sample_several_samples_an_error_or_no_server_is_unmeasurable()
    {
        var none = await Probe.MeasureAsync(Query("nothing"));
        var many = await Probe.MeasureAsync(Query("up"));
        var error = await Probe.MeasureAsync(Query("up{"));
        using var refusing = Ports.Refusing();
        var refused = await Probe.MeasureAsync(new PrometheusProbeDefinition { Url = new Uri($"http://127.0.0.1:{refusing.Port}"), Query = "up" });

        Probe.Unmeasurable(none, "returned no samples");
        Probe.Unmeasurable(many, "returned 2 samples");
        Probe.Unmeasurable(error, "parse error at char 1");
        Probe.Unmeasurable(refused, "Connection refused");
    }
}
