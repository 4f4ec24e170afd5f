using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Vigil.Receivers.Http;

/// <summary>One HTTP attempt with a bounded time, answering either the receiver's <see cref="HttpAnswer"/> or a
/// sentence saying why there was none (timed out, refused, TLS failed), already stripped of secrets.</summary>
internal static class HttpSend
{
    /// <summary>How much of an answer's body is read: error descriptions and 429 details fit easily.</summary>
    public const int MaxBodyChars = 16 * 1024;

    public static async Task<(HttpAnswer? Answer, string? Failure)> SendAsync(
        HttpClient http, HttpRequestMessage request, TimeSpan? timeout, Redactor redactor, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t)
        {
            deadline.CancelAfter(t);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var body = await ReadStartAsync(response, deadline.Token).ConfigureAwait(false);
            return (new HttpAnswer((int)response.StatusCode, response.ReasonPhrase, response.Headers, body), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var after = timeout is { } limit && (http.Timeout == Timeout.InfiniteTimeSpan || limit < http.Timeout) ? limit : http.Timeout;
            return (null, $"no answer within {Vigil.Domain.Time.Durations.Format(after)} (timed out)");
        }
        catch (HttpRequestException ex)
        {
            return (null, redactor.Redact(Describe(ex)));
        }
    }

    private static string Describe(HttpRequestException ex)
    {
        if (ex.InnerException is SocketException socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection refused ({ex.Message})",
                SocketError.HostNotFound or SocketError.NoData => $"host not found ({ex.Message})",
                _ => $"network error: {ex.Message}",
            };
        }

        if (ex.InnerException is AuthenticationException tls)
        {
            return $"TLS failed: {tls.Message}";
        }

        return ex.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => $"could not connect ({ex.Message})",
            HttpRequestError.ResponseEnded => "the connection closed before an answer",
            _ => $"request failed: {ex.Message}",
        };
    }

    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        // Rented: most answers are a few bytes ("ok", "{}"), and a fresh 32 KB array per delivery was most of what a
        // storm of deliveries allocated (about 100 MB/s at 3,000 deliveries/s on the development VM), the garbage
        // collections of which paused the pings (bench/PROFILE.md, "Storms").
        var buffer = ArrayPool<char>.Shared.Rent(MaxBodyChars);
        try
        {
            var read = 0;
            while (read < MaxBodyChars)
            {
                var n = await reader.ReadAsync(buffer.AsMemory(read, MaxBodyChars - read), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return new string(buffer, 0, read);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
