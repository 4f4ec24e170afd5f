using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Probes;

/// <summary>
/// The HTTP client of one http-based probe. Over https every run opens its own connection, so each run sees the
/// certificate (for <c>days_left</c> and its validity) as a new client would. Plain http probes with the default
/// certificate trust (it matters on a redirect to https) share one pool of keep-alive connections, as any HTTP
/// client does: a thousand probes a second against one service then cost a thousand requests, not a thousand TCP
/// handshakes and teardowns on both sides. A pooled connection idles at most <see cref="PlainIdleTimeout"/> and
/// lives at most <see cref="PlainLifetime"/> (so a DNS change is seen); a probe every few minutes still opens a new
/// one each run. A pooled connection the server closed is replaced by the handler, so reuse never turns into a
/// false failure.
/// </summary>
internal sealed class HttpClients : IDisposable
{
    /// <summary>The most of an unneeded body a run reads to free its connection; 64 KiB.</summary>
    private const int DrainLimit = 64 * 1024;

    public static readonly TimeSpan PlainIdleTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PlainLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Bounds a connect on the shared pool; each run is also cut at its own timeout by its token.</summary>
    private static readonly TimeSpan PlainConnectTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<SocketsHttpHandler> SharedPlain = new(() => new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = PlainIdleTimeout,
        PooledConnectionLifetime = PlainLifetime,
        ConnectTimeout = PlainConnectTimeout,
        AutomaticDecompression = DecompressionMethods.All,
        UseCookies = false,
    });

    private readonly CertificateTrust _trust;

    public HttpClients(Uri url, bool verify, string? caFile, TimeSpan timeout)
    {
        _trust = new CertificateTrust(verify, caFile);
        // A redirect to https on the shared pool is checked with the system's trust, so only a probe that trusts
        // exactly that shares it; one with tls_verify: false or a ca_file keeps its own handler.
        var shared = url.Scheme == Uri.UriSchemeHttp && verify && caFile is null;
        Client = shared
            ? new HttpClient(SharedPlain.Value, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.Zero,
                ConnectTimeout = timeout,
                AutomaticDecompression = DecompressionMethods.All,
                UseCookies = false,
                SslOptions = { RemoteCertificateValidationCallback = Validate },
            });
        Client.Timeout = Timeout.InfiniteTimeSpan;
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

    /// <summary>Reads and drops a body nobody needs inside the run when its declared length is at most
    /// <see cref="DrainLimit"/>, so a pooled connection is free again when the run ends rather than after a drain in
    /// the background, and the next run reuses it instead of opening another. A body of unknown length (chunked, a
    /// stream that never ends) or a longer one is left to the handler, as before: a run never waits on it.</summary>
    public static async Task DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is not (> 0 and <= DrainLimit))
        {
            return;
        }

        // The declared length bounds the copy: the handler's stream ends there.
        await response.Content.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of the body as text; a probe never needs more. The
    /// buffer grows with what arrives, so a small health answer never costs the whole limit.</summary>
    public static async Task<string> ReadBodyAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(limit, 16 * 1024)];
            var total = 0;
            while (total < limit)
            {
                if (total == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(limit, 2L * buffer.Length));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(total, buffer.Length - total), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
    }
}
