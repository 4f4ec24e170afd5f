namespace Vigil.Receivers;

/// <summary>Removes a receiver's secrets (bot token, webhook URL and its token, password) from any text before it
/// becomes an error, a log line or an API answer. Exception messages of HTTP and TLS stacks sometimes quote the
/// URL they were given; the Telegram token is in that URL's path, a Discord or Slack webhook URL is the secret.</summary>
internal sealed class Redactor
{
    public const string Mask = "(secret)";

    private readonly string[] _secrets;

    public Redactor(params IEnumerable<string?> secrets)
    {
        // Longest first, so a URL is masked whole before the token inside it.
        _secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 4).Select(s => s!).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    public static readonly Redactor None = new();

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }

            // A URL's path may come back percent-encoded or decoded.
            var escaped = Uri.EscapeDataString(secret);
            if (escaped != secret && text.Contains(escaped, StringComparison.Ordinal))
            {
                text = text.Replace(escaped, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The secret parts of a webhook URL: the whole URL, its path and query, and each long path segment
    /// (Discord's <c>/api/webhooks/{id}/{token}</c>, Slack's <c>/services/T…/B…/{token}</c>).</summary>
    public static IEnumerable<string> UrlSecrets(string url)
    {
        yield return url;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            yield return uri.AbsoluteUri;
            if (uri.PathAndQuery.Length > 1)
            {
                yield return uri.PathAndQuery;
            }

            foreach (var segment in uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (segment.Length >= 16)
                {
                    yield return segment;
                }
            }
        }
    }
}
