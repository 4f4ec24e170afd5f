using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary><c>tls</c>: a TLS handshake and nothing more; <c>days_left</c> until the certificate expires. An
/// untrusted certificate (or one not naming the server) is critical, with its days left still measured.</summary>
internal sealed class TlsProbe(TlsProbeDefinition definition, TimeProvider time) : IProbeReader
{
    private readonly CertificateTrust _trust = new(definition.TlsVerify, definition.CaFile);

    public string Subject { get; } = new HostPort(definition.Host, definition.Port).ToString();

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(definition.Host, definition.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{Subject}: cannot connect: {ex.Message}");
        }

        DateTimeOffset? notAfter = null;
        string? problem = null;
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await using (ssl.ConfigureAwait(false))
        {
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = definition.ServerName ?? definition.Host,
                // Accept every certificate here and judge it after: an untrusted certificate still has an expiry worth reporting.
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is X509Certificate2 c)
                    {
                        notAfter = new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero);
                    }

                    problem = _trust.Problem(certificate, chain, errors);
                    return true;
                },
            };
            try
            {
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{Subject}: the TLS handshake failed: {HttpClients.Why(ex)}");
            }
        }

        var at = time.GetUtcNow();
        var latency = time.GetElapsedTime(started).TotalSeconds;
        if (notAfter is not { } expiry)
        {
            return ProbeReading.Unmeasurable(at, Subject, $"{Subject} sent no certificate");
        }

        var q = new Dictionary<string, double> { [Quantity.DaysLeft] = (expiry - at).TotalDays, [Quantity.Latency] = latency };
        if (problem is not null)
        {
            return ProbeReading.Decided(at, Subject, Level.Critical, $"{Subject}: {problem}", q);
        }

        return ProbeReading.Measured(at, Subject, q, new Dictionary<string, string>
        {
            [Quantity.DaysLeft] = $"the certificate of {Subject} expires in {Phrasing.Number(Math.Round(q[Quantity.DaysLeft], 1))} days ({expiry.UtcDateTime:yyyy-MM-dd})",
            [Quantity.Latency] = $"the TLS handshake with {Subject} took {Phrasing.Duration(latency)}",
        });
    }
}
