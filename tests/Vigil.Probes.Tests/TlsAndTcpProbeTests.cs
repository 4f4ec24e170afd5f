using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

public sealed class TlsAndTcpProbeTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;
    private LoopbackWeb? _web;
    private string _ca = "";

    private DateTimeOffset NotAfter => new(_certificate!.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        var real = TimeProvider.System.GetUtcNow();
        _certificate = TestCertificates.Create(real.AddDays(-1), real.AddDays(120));
        _ca = TestCertificates.WritePem(_certificate, _dir.Combine("ca.pem"));
        _web = await LoopbackWeb.StartAsync(app => app.MapGet("/", () => "ok"), _certificate);
    }

    public async Task DisposeAsync()
    {
        await _web!.DisposeAsync();
        _certificate!.Dispose();
    }

    public void Dispose() => _dir.Dispose();

    private TlsProbeDefinition Tls => new() { Host = "127.0.0.1", Port = _web!.Port, ServerName = "localhost", CaFile = _ca };

    [Theory]
    [InlineData(60, Level.Ok)]
    [InlineData(20, Level.Warning)]
    [InlineData(10, Level.Critical)]
    public async Task Days_left_on_the_certificate_are_judged(int daysLeft, Level expected)
    {
        var clock = new FakeTimeProvider(NotAfter.AddDays(-daysLeft));

        var m = await Probe.MeasureAsync(Tls, Probe.Rules("days_left < 30", "days_left < 14"), clock);

        Probe.Is(expected, m);
        Assert.Equal(daysLeft, m.Quantities[Quantity.DaysLeft], 3);
        Assert.Equal($"the certificate of 127.0.0.1:{_web!.Port} expires in {daysLeft} days ({NotAfter:yyyy-MM-dd}) (warning if days_left < 30, critical if days_left < 14)", m.Reason);
    }

    [Fact]
    public async Task An_untrusted_certificate_or_a_wrong_name_is_critical_and_still_reports_its_days_left()
    {
        var untrusted = await Probe.MeasureAsync(Tls with { CaFile = null }, Probe.Rules("days_left < 30"));
        var wrongName = await Probe.MeasureAsync(Tls with { ServerName = "db.internal" }, Probe.Rules("days_left < 30"));
        var unverified = await Probe.MeasureAsync(Tls with { CaFile = null, TlsVerify = false }, Probe.Rules("days_left < 30"));

        Probe.Is(Level.Critical, untrusted);
        Assert.Contains("not trusted", untrusted.Reason, StringComparison.Ordinal);
        Assert.True(untrusted.Quantities[Quantity.DaysLeft] > 100);
        Probe.Is(Level.Critical, wrongName);
        Assert.Contains("does not name the host", wrongName.Reason, StringComparison.Ordinal);
        Probe.Is(Level.Ok, unverified);
    }

    [Fact]
    public async Task Tcp_connects_and_a_refused_port_is_unmeasurable_for_tcp_and_tls()
    {
        var port = Ports.Free();

        var open = await Probe.MeasureAsync(new TcpProbeDefinition { Host = "127.0.0.1", Port = _web!.Port }, Probe.Rules("latency > 5s"));
        var refused = await Probe.MeasureAsync(new TcpProbeDefinition { Host = "127.0.0.1", Port = port });
        var tls = await Probe.MeasureAsync(Tls with { Port = port });

        Probe.Is(Level.Ok, open);
        Assert.True(open.Quantities.ContainsKey(Quantity.Latency));
        Probe.Unmeasurable(refused, "Connection refused");
        Probe.Unmeasurable(tls, "Connection refused");
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_finishes_the_handshake_is_cut_at_the_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;

        var m = await Probe.MeasureAsync(Tls with { Port = port, Timeout = TimeSpan.FromMilliseconds(300) }, time: TimeProvider.System);

        Probe.Unmeasurable(m, "did not finish within 300ms");
    }
}
