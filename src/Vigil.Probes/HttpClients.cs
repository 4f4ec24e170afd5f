using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Probes;

/// <summary>
/// The HTTP client of one http-based probe. Connections are not pooled: each run opens its own, so it measures
/// the connection (and sees the certificate) as a new client would, and a probe every minute keeps no idle
/// sockets open. The certificate's expiry is kept from the handshake for <c>days_left</c>.
/// </summary>
internal sealed class HttpClients : IDisposable
{
    private readonly CertificateTrust _trust;

    public HttpClients(bool verify, string? caFile, TimeSpan timeout)
    {
        _trust = new CertificateTrust(verify, caFile);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = timeout,
            AutomaticDecompression = DecompressionMethods.All,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = Validate },
        };
        Client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("vigil-probe/1");
    }

    public HttpClient Client { get; }

    /// <summary>When the certificate of the last handshake expires; null before one, or over plain http.</summary>
    public DateTimeOffset? CertificateNotAfter { get; private set; }

    public string? CertificateProblem { get; private set; }

    /// <summary>Forgets the last handshake; called at the start of each run (runs of one probe never overlap).</summary>
    public void Reset()
    {
        CertificateNotAfter = null;
        CertificateProblem = null;
    }

    public void Dispose() => Client.Dispose();

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is X509Certificate2 c)
        {
            CertificateNotAfter = new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }

        CertificateProblem = _trust.Problem(certificate, chain, errors);
        return CertificateProblem is null;
    }

    /// <summary>The innermost message of a failed request: "Connection refused (127.0.0.1:8080)".</summary>
    public static string Why(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of the body as text; a probe never needs more.</summary>
    public static async Task<string> ReadBodyAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[limit];
            var total = 0;
            int read;
            while (total < limit && (read = await stream.ReadAsync(buffer.AsMemory(total, limit - total), ct).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
    }
}
