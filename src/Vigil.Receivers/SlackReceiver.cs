using System.Text;
using System.Text.Json.Nodes;
using Vigil.Domain.Time;
using Vigil.Receivers.Http;
using Vigil.Receivers.Text;

namespace Vigil.Receivers;

/// <summary>A Slack incoming webhook. The URL is the credential, so it is a secret.</summary>
public sealed record SlackOptions(string WebhookUrl) : ReceiverOptions
{
    public override string Kind => "slack";

    public override string ToString() => "slack webhook (secret)";
}

/// <summary>
/// Posts <c>text</c> (the notification fallback) plus section <c>blocks</c>: the digest header, one per alert,
/// within Slack's limits (3,000 characters per section, 50 blocks). Alerts that do not fit are named in a last
/// section that says how many more there are and links the full list. A 429's <c>Retry-After</c> is honoured.
/// </summary>
public sealed class SlackReceiver : IReceiver
{
    public const int MaxSectionText = 3000;
    public const int MaxBlocks = 50;

    /// <summary>The fallback shown in notifications and by clients without blocks.</summary>
    public const int MaxFallback = 3000;

    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;

    public SlackReceiver(string name, SlackOptions options, HttpClient http, TimeProvider time)
    {
        Name = name;
        _http = http;
        _time = time;
        _redactor = new Redactor(Redactor.UrlSecrets(options.WebhookUrl));
        _url = new Uri(options.WebhookUrl);
    }

    public string Name { get; }

    public async Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = new StringContent(Payload(message, _time.GetUtcNow()).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var (answer, failure) = await HttpSend.SendAsync(_http, request, null, _redactor, ct).ConfigureAwait(false);
        if (answer is null)
        {
            return DeliveryResult.Failed($"slack receiver '{Name}': {failure}");
        }

        if (answer.IsSuccess)
        {
            return DeliveryResult.Ok;
        }

        // Slack answers errors as a short plain-text code: invalid_blocks, no_service, channel_is_archived...
        var code = answer.Body.Trim();
        var what = $"slack receiver '{Name}': the webhook answered {answer.StatusText}";
        if (code.Length is > 0 and <= 200 && !code.Contains('\n', StringComparison.Ordinal))
        {
            what += $" ({_redactor.Redact(code)})";
        }

        TimeSpan? hint = null;
        if (answer.Status == 429)
        {
            hint = RetryHint.FromRetryAfter(answer.Headers, _time) ?? TimeSpan.FromSeconds(1);
            what += $"; retry after {Durations.Format(hint.Value)}";
        }

        return DeliveryResult.Failed(what, hint);
    }

    /// <summary>The webhook's JSON body for <paramref name="message"/>.</summary>
    internal static JsonObject Payload(OutgoingMessage message, DateTimeOffset now)
    {
        var alerts = MessageText.Blocks(message, now);
        var header = MessageText.Header(message);
        var blocks = new JsonArray();
        if (header is not null)
        {
            blocks.Add(Section($"*{Escape(header)}*"));
        }

        var shown = 0;
        foreach (var alert in alerts)
        {
            var rest = alerts.Count - shown - 1 + message.Omitted;
            if (blocks.Count >= (rest > 0 ? MaxBlocks - 1 : MaxBlocks))
            {
                break;
            }

            blocks.Add(Section(Cut(Mrkdwn(alert), MaxSectionText)));
            shown++;
        }

        var notShown = alerts.Count - shown + message.Omitted;
        if (notShown > 0)
        {
            var sb = new StringBuilder($"*…and {notShown} more*");
            if (message.ListUrl is { } list && Html.IsWebUrl(list))
            {
                sb.Append(" (").Append(Link(list, "full list")).Append(')');
            }

            foreach (var alert in alerts.Skip(shown))
            {
                var line = $"\n{alert.Icon} {Escape(alert.Check ?? alert.Title)}";
                if (sb.Length + line.Length > MaxSectionText - 1)
                {
                    sb.Append('…');
                    break;
                }

                sb.Append(line);
            }

            blocks.Add(Section(sb.ToString()));
        }

        var fallback = header ?? $"{alerts[0].Icon} {alerts[0].Title}";
        return new JsonObject
        {
            ["text"] = Cut(Escape(fallback), MaxFallback),
            ["blocks"] = blocks,
        };
    }

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn },
    };

    private static string Mrkdwn(AlertBlock block)
    {
        var sb = new StringBuilder();
        sb.Append(block.Icon).Append(" *").Append(Escape(block.Title)).Append('*');
        foreach (var line in block.Lines)
        {
            sb.Append('\n');
            if (line.Label is not null)
            {
                sb.Append('*').Append(Escape(line.Label)).Append(":* ");
            }

            sb.Append(line.Url is { } url ? Link(url, line.Text) : Escape(line.Text));
        }

        if (block.Link is { } link)
        {
            sb.Append('\n').Append(Link(link, "Open in Vigil"));
        }

        return sb.ToString();
    }

    /// <summary>Slack's three escapes; with &lt; escaped no text can form a link or a <c>&lt;!channel&gt;</c> mention.</summary>
    internal static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Link(string url, string text) =>
        $"<{url.Replace("|", "%7C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal)}|{Escape(text).Replace("|", "¦", StringComparison.Ordinal)}>";

    /// <summary>Cuts on a line break where possible, never inside an escape or a link.</summary>
    private static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text.LastIndexOf('\n', max - 2);
        if (cut < max / 2)
        {
            cut = max - 1;
            var amp = text.LastIndexOf('&', cut - 1);
            if (amp >= 0 && amp > cut - 6 && text.IndexOf(';', amp) >= cut)
            {
                cut = amp;
            }

            var lt = text.LastIndexOf('<', cut - 1);
            if (lt >= 0 && text.IndexOf('>', lt) >= cut)
            {
                cut = lt;
            }

            if (char.IsLowSurrogate(text[cut]))
            {
                cut--;
            }
        }

        return text[..cut] + "…";
    }
}
