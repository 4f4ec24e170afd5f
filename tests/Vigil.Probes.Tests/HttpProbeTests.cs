using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

public sealed class HttpProbeTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private int _hits;
    private LoopbackWeb? _web;

    private LoopbackWeb Web => _web!;

    public async Task InitializeAsync() => _web = await LoopbackWeb.StartAsync(Routes);

    private void Routes(WebApplication app)
    {
        app.MapGet("/ping", () => { Interlocked.Increment(ref _hits); return Results.Text("pong"); });
        app.MapGet("/down", () => Results.StatusCode(503));
        app.MapGet("/state", () => Results.Text($$"""{"gecko_says":"ok","updated_at":"{{Probe.Now.AddMinutes(-3):yyyy-MM-dd'T'HH:mm:ss'Z'}}","queue":[4,7]}""", "application/json"));
        app.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(TimeSpan.FromSeconds(10), ct); return "late"; });
        app.MapGet("/stream", async (HttpContext ctx, CancellationToken ct) =>
        {
            await ctx.Response.WriteAsync("event: tick\n\n", ct);
            await ctx.Response.Body.FlushAsync(ct);
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
        });
        app.MapGet("/big", () => Results.Text($$"""{"padding":"{{new string('x', 300_000)}}","queue_length":42}""", "application/json"));
        app.MapPost("/rpc", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync() + " " + r.Headers["X-Token"]));
    }

    public async Task DisposeAsync() => await Web.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_200_is_ok_and_an_unexpected_status_is_critical()
    {
        var ok = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("ping") });
        var down = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("down") });
        var accepted = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("down"), ExpectStatus = [new StatusRange(500, 599)] });

        Probe.Is(Level.Ok, ok);
        Assert.Equal(200, ok.Quantities[Quantity.Status]);
        Probe.Is(Level.Critical, down);
        Assert.False(down.Unmeasurable);
        Assert.Equal($"GET {Web.At("down")} answered 503 Service Unavailable, expected 200", down.Reason);
        Probe.Is(Level.Ok, accepted);
    }

    [Fact]
    public async Task Conditions_on_status_replace_the_default_expectation()
    {
        var m = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("down") }, Probe.Rules("status != 200", "status >= 500"));
        var missing = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("nothing-here") }, Probe.Rules("status != 200", "status >= 500"));

        Probe.Is(Level.Critical, m);
        Assert.Equal($"GET {Web.At("down")} answered 503 (warning if status != 200, critical if status >= 500)", m.Reason);
        Probe.Is(Level.Warning, missing);
    }

    [Fact]
    public async Task A_JSON_value_is_read_as_a_timestamp_or_a_number_and_the_body_can_be_matched()
    {
        var age = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("state"), Json = "$.updated_at", Value = ValueKind.Timestamp }, Probe.Rules("age > 2m", "age > 5m"));
        var number = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("state"), Json = "$.queue[-1]" }, Probe.Rules("value > 5"));
        var body = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("state"), ExpectBody = "\"gecko_says\":\"bad\"" });
        var wrongType = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("state"), Json = "$.queue" });

        Probe.Is(Level.Warning, age);
        Assert.Equal(180, age.Quantities[Quantity.Age]);
        Assert.Equal($"$.updated_at of GET {Web.At("state")} is 3m old (warn after 2m, critical after 5m)", age.Reason);
        Probe.Is(Level.Warning, number);
        Assert.Equal(7, number.Quantities[Quantity.Value]);
        Probe.Is(Level.Critical, body);
        Assert.Contains("does not match", body.Reason, StringComparison.Ordinal);
        Probe.Unmeasurable(wrongType, "is an array, not a number");
    }

    [Fact]
    public async Task A_body_larger_than_the_first_read_buffer_is_read_whole()
    {
        var m = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("big"), Json = "$.queue_length" }, Probe.Rules("value > 40"));

        Probe.Is(Level.Warning, m);
        Assert.Equal(42, m.Quantities[Quantity.Value]);
    }

    [Fact]
    public async Task A_body_that_never_ends_does_not_hold_the_run_when_nothing_reads_it()
    {
        var started = TimeProvider.System.GetTimestamp();
        var m = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("stream"), Timeout = TimeSpan.FromSeconds(3) }, time: TimeProvider.System);

        Probe.Is(Level.Ok, m);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Plain_http_runs_reuse_a_connection_and_one_the_server_closed_is_replaced_without_a_failure()
    {
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var closed = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var web = await LoopbackWeb.StartAsync(
            app => app.MapGet("/", (HttpContext ctx) => { connections.AddOrUpdate(ctx.Connection.Id, 1, (_, n) => n + 1); return "ok"; }),
            keepAliveTimeout: TimeSpan.FromSeconds(1), connectionClosed: closed.Add);
        var first = new HttpProbeDefinition { Url = web.Url };
        var other = new HttpProbeDefinition { Url = web.Url, Headers = new Dictionary<string, string> { ["X-Probe"] = "two" } };

        for (var run = 0; run < 5; run++)
        {
            Probe.Is(Level.Ok, await Probe.MeasureAsync(run % 2 == 0 ? first : other));
        }

        Assert.Equal(5, Assert.Single(connections).Value);

        // Kestrel closes the idle connection after its 1 s keep-alive; the next run must not see that as a failure.
        await Poll.UntilAsync(() => !closed.IsEmpty, "Kestrel closed the idle connection");
        var afterClose = await Probe.MeasureAsync(first);

        Probe.Is(Level.Ok, afterClose);
        Assert.Equal(2, connections.Count);
    }

    [Fact]
    public async Task Headers_and_a_body_are_sent()
    {
        var m = await Probe.MeasureAsync(new HttpProbeDefinition
        {
            Url = Web.At("rpc"),
            Method = "POST",
            Body = "hello",
            Headers = new Dictionary<string, string> { ["X-Token"] = "t0ken" },
            ExpectBody = "^hello t0ken$",
        });

        Probe.Is(Level.Ok, m);
    }

    [Fact]
    public async Task A_refused_connection_and_a_slow_answer_are_unmeasurable()
    {
        using var refusing = Ports.Refusing();
        var refused = await Probe.MeasureAsync(new HttpProbeDefinition { Url = new Uri($"http://127.0.0.1:{refusing.Port}/") }, Probe.Rules(unmeasurable: Level.Warning));
        var started = TimeProvider.System.GetTimestamp();
        var slow = await Probe.MeasureAsync(new HttpProbeDefinition { Url = Web.At("slow"), Timeout = TimeSpan.FromMilliseconds(400) }, time: TimeProvider.System);

        Probe.Unmeasurable(refused, "Connection refused");
        Probe.Is(Level.Warning, refused);
        Probe.Unmeasurable(slow, "did not finish within 400ms (the probe's timeout)");
        Probe.Is(Level.Critical, slow);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Https_gives_the_days_left_on_the_certificate_trusted_through_ca_file()
    {
        var real = TimeProvider.System.GetUtcNow();
        using var certificate = TestCertificates.Create(real.AddDays(-1), real.AddDays(90));
        var ca = TestCertificates.WritePem(certificate, _dir.Combine("ca.pem"));
        await using var https = await LoopbackWeb.StartAsync(app => app.MapGet("/", () => "ok"), certificate);
        var url = new Uri($"https://localhost:{https.Port}/");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero).AddDays(-10));

        var trusted = await Probe.MeasureAsync(new HttpProbeDefinition { Url = url, CaFile = ca }, Probe.Rules("days_left < 30", "days_left < 7"), clock);
        var untrusted = await Probe.MeasureAsync(new HttpProbeDefinition { Url = url }, Probe.Rules("days_left < 30"));
        var unverified = await Probe.MeasureAsync(new HttpProbeDefinition { Url = url, TlsVerify = false }, Probe.Rules("days_left < 30"), clock);

        Probe.Is(Level.Warning, trusted);
        Assert.Equal(10, trusted.Quantities[Quantity.DaysLeft], 3);
        Assert.StartsWith("the certificate of localhost expires in 10 days", trusted.Reason, StringComparison.Ordinal);
        Probe.Unmeasurable(untrusted, "not trusted");
        Probe.Is(Level.Warning, unverified);
    }
}
