using Microsoft.Extensions.Logging;

namespace Vigil.Client;

/// <summary>
/// Where Vigil is and how the client behaves when it cannot be reached. Unset values fall back to the
/// environment as the <c>vigil</c> CLI reads it: <c>VIGIL_URL</c> and <c>VIGIL_API_KEY</c> (a value
/// <c>file:PATH</c> reads the key from a file).
/// </summary>
public sealed class VigilClientOptions
{
    /// <summary>The default time every call may take (one attempt).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default number of repeats of a call that is safe to repeat.</summary>
    public const int DefaultMaxRetries = 2;

    /// <summary>Vigil's base address.</summary>
    /// <value>The default value is <c>VIGIL_URL</c>, else <c>http://127.0.0.1:8470</c>.</value>
    public Uri? Url { get; set; }

    /// <summary>The API key, or <c>file:PATH</c>; pings by check name use it as the ping key.</summary>
    /// <value>The default value is <c>VIGIL_API_KEY</c>, else none.</value>
    public string? ApiKey { get; set; }

    /// <summary>How long one attempt of a call may take before it counts as unreachable.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// How many times a call that is safe to repeat (reads, lease renew and release, which carry a token) is
    /// repeated after no answer or a 502/503/504. Pings and acquires are never repeated: a repeat after a lost
    /// answer could count twice or take a second slot.
    /// </summary>
    /// <value>The default value is 2.</value>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>
    /// What the monitoring helpers (<see cref="VigilClient.StartAsync"/>, <see cref="VigilClient.SuccessAsync"/>,
    /// <see cref="VigilClient.FailAsync"/>, <see cref="VigilClient.AcquireLeaseAsync"/> and
    /// <see cref="VigilLease"/>) do when Vigil cannot be reached or refuses the call: <see langword="true"/>
    /// logs a warning and lets the job go on (an unmonitored lease); <see langword="false"/> throws
    /// <see cref="VigilUnreachableException"/> or <see cref="VigilApiException"/>. A lease held elsewhere
    /// always throws <see cref="VigilLeaseHeldException"/>.
    /// </summary>
    /// <value>The default value is <see langword="true"/>: monitoring never breaks the job.</value>
    public bool FailOpen { get; set; } = true;

    /// <summary>The address and key after the environment fallbacks; a key file that cannot be read is a
    /// warning (and no key), because monitoring never breaks the job.</summary>
    internal (Uri Url, string? Key) Resolve(Func<string, string?> environment, ILogger logger)
    {
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "VigilClientOptions.Timeout must be positive");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "VigilClientOptions.MaxRetries must be 0 or more");
        }

        var url = Url;
        if (url is null)
        {
            var text = NonEmpty(environment("VIGIL_URL"));
            if (text is null)
            {
                url = VigilClient.DefaultServer;
            }
            else if (!Uri.TryCreate(text, UriKind.Absolute, out url))
            {
                throw new ArgumentException($"VIGIL_URL '{text}' is not an absolute http(s) URL", nameof(environment));
            }
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Vigil URL '{url}' is not an http(s) URL", nameof(environment));
        }

        // Relative request paths resolve under the base only when it ends with a slash (Vigil behind a prefix).
        if (!url.AbsolutePath.EndsWith('/'))
        {
            url = new Uri(url + "/");
        }

        return (url, ResolveKey(NonEmpty(ApiKey) ?? NonEmpty(environment("VIGIL_API_KEY")), logger));
    }

    private static string? ResolveKey(string? given, ILogger logger)
    {
        if (given is null || !given.StartsWith("file:", StringComparison.Ordinal))
        {
            return given;
        }

        var path = given["file:".Length..];
        try
        {
            return NonEmpty(File.ReadAllText(path).Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            MonitoringLog.KeyFileUnreadable(logger, path, ex.Message);
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
