using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Probes.Kinds;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

/// <summary>The trading host's clock: ntp and http_time skew against servers whose offset the test sets.</summary>
public sealed class ClockProbeTests
{
    private static NtpProbeDefinition Ntp(params int[] ports) =>
        new() { Servers = [.. ports.Select(p => new HostPort("127.0.0.1", p))], Timeout = TimeSpan.FromSeconds(2) };

    [Theory]
    [InlineData(500, Level.Ok)]
    [InlineData(-2500, Level.Warning)]
    [InlineData(6000, Level.Critical)]
    public async Task Ntp_skew_is_the_absolute_offset_judged_by_the_thresholds(int offsetMs, Level expected)
    {
        var clock = Probe.Clock();
        await using var server = new SntpResponder(clock, TimeSpan.FromMilliseconds(offsetMs));

        var m = await Probe.MeasureAsync(Ntp(server.Port), Probe.Rules("skew > 2s", "skew > 5s"), clock);

        Probe.Is(expected, m);
        Assert.Equal(Math.Abs(offsetMs) / 1000d, m.Quantities[Quantity.Skew], 3);
        Assert.Contains(offsetMs > 0 ? "behind 127.0.0.1" : "ahead of 127.0.0.1", m.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ntp_servers_are_tried_in_order_until_one_answers()
    {
        var clock = Probe.Clock();
        await using var server = new SntpResponder(clock, TimeSpan.FromSeconds(3));
        var refused = Ports.Free();

        var m = await Probe.MeasureAsync(Ntp(refused, server.Port), Probe.Rules("skew > 2s"), clock);

        Probe.Is(Level.Warning, m);
        Assert.Contains($"127.0.0.1:{server.Port}", m.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ntp_without_an_answer_is_unmeasurable_naming_each_server()
    {
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var silentPort = ((System.Net.IPEndPoint)silent.Client.LocalEndPoint!).Port;
        var refused = Ports.Free();
        var clock = Probe.Clock();
        await using var kissOfDeath = new SntpResponder(clock, TimeSpan.Zero, stratum: 0);

        var m = await Probe.MeasureAsync(Ntp(refused, silentPort, kissOfDeath.Port) with { Timeout = TimeSpan.FromMilliseconds(900) }, Probe.Rules("skew > 2s", unmeasurable: Level.Warning), TimeProvider.System);

        Probe.Unmeasurable(m, "no NTP server answered");
        Probe.Is(Level.Warning, m);
        Assert.Contains($"127.0.0.1:{silentPort}: no answer within 300ms", m.Reason, StringComparison.Ordinal);
        Assert.Contains("kiss-o'-death", m.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Ntp_timestamps_round_trip_across_the_2036_era_boundary()
    {
        var bytes = new byte[8];
        foreach (var t in new[] { Probe.Now, new DateTimeOffset(2036, 2, 7, 6, 28, 15, TimeSpan.Zero), new DateTimeOffset(2040, 1, 1, 0, 0, 0, 500, TimeSpan.Zero) })
        {
            NtpProbe.WriteTimestamp(bytes, t);
            Assert.Equal(t, NtpProbe.ReadTimestamp(bytes), TimeSpan.FromMilliseconds(1));
        }
    }

    [Theory]
    [InlineData(1500, Level.Ok)]
    [InlineData(-3000, Level.Warning)]
    [InlineData(8000, Level.Critical)]
    public async Task Http_time_reads_a_JSON_server_time_in_milliseconds(int offsetMs, Level expected)
    {
        var clock = Probe.Clock();
        await using var web = await LoopbackWeb.StartAsync(app =>
        {
            app.MapGet("/api/v3/time", () => Results.Json(new { serverTime = (clock.GetUtcNow() + TimeSpan.FromMilliseconds(offsetMs)).ToUnixTimeMilliseconds() }));
            app.MapGet("/seconds", () => Results.Text($"{{\"now\": {(clock.GetUtcNow() + TimeSpan.FromMilliseconds(offsetMs)).ToUnixTimeSeconds()}}}", "application/json"));
        });

        var ms = await Probe.MeasureAsync(new HttpTimeProbeDefinition { Url = web.At("api/v3/time"), Json = "$.serverTime", Unit = TimeUnit.Milliseconds }, Probe.Rules("skew > 2s", "skew > 5s"), clock);
        var seconds = await Probe.MeasureAsync(new HttpTimeProbeDefinition { Url = web.At("seconds"), Json = "$.now", Unit = TimeUnit.Seconds }, Probe.Rules("skew > 2s", "skew > 5s"), clock);

        Probe.Is(expected, ms);
        Assert.Equal(Math.Abs(offsetMs) / 1000d, ms.Quantities[Quantity.Skew], 3);
        Assert.Contains("$.serverTime", ms.Reason, StringComparison.Ordinal);
        Probe.Is(expected, seconds);
    }

    [Fact]
    public async Task Http_time_reads_the_Date_header_with_half_a_second_for_its_truncation()
    {
        var clock = Probe.Clock();
        await using var web = await LoopbackWeb.StartAsync(app => app.MapGet("/", (HttpContext c) =>
        {
            c.Response.Headers.Date = (clock.GetUtcNow() + TimeSpan.FromSeconds(10)).ToString("R");
            return "ok";
        }));

        var m = await Probe.MeasureAsync(new HttpTimeProbeDefinition { Url = web.Url }, Probe.Rules("skew > 5s"), clock);

        Probe.Is(Level.Warning, m);
        Assert.Equal(10.5, m.Quantities[Quantity.Skew], 3);
        Assert.Contains("Date header, ±0.5s", m.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_time_with_an_error_answer_or_a_naive_time_is_unmeasurable()
    {
        await using var web = await LoopbackWeb.StartAsync(app =>
        {
            app.MapGet("/error", () => Results.StatusCode(500));
            app.MapGet("/naive", () => Results.Json(new { t = "2026-03-10T12:00:00" }));
        });

        var error = await Probe.MeasureAsync(new HttpTimeProbeDefinition { Url = web.At("error"), Json = "$.t" });
        var naive = await Probe.MeasureAsync(new HttpTimeProbeDefinition { Url = web.At("naive"), Json = "$.t" });

        Probe.Unmeasurable(error, "answered 500");
        Probe.Unmeasurable(naive, "has no UTC offset");
    }
}
