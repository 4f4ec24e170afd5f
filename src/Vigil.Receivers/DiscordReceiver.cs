using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Domain.Checks;
using Vigil.Domain.Time;
using Vigil.Receivers.Http;
using Vigil.Receivers.Text;

namespace Vigil.Receivers;

/// <summary>A Discord channel webhook. The URL embeds the webhook's token, so it is a secret.</summary>
public sealed record DiscordOptions(string WebhookUrl) : ReceiverOptions
{
    public override string Kind => "discord";

    public override string ToString() => "discord webhook (secret)";
}

/// <summary>
/// Posts <c>content</c> plus one embed per alert, coloured by severity (critical red, warning amber, info blue,
/// resolved green), within Discord's limits: content 2,000 characters, 10 embeds, title 256, description 4,096,
/// 6,000 characters over all embeds. Alerts that do not fit are named in a last embed that says how many more
/// there are and links the full list. Mentions are disabled, so a check description cannot ping @everyone.
/// </summary>
public sealed class DiscordReceiver : IReceiver
{
    public const int MaxContent = 2000;
    public const int MaxEmbeds = 10;
    public const int MaxTitle = 256;
    public const int MaxDescription = 4096;
    public const int MaxTotal = 6000;

    public const int CriticalColour = 0xD32F2F;
    public const int WarningColour = 0xFFA000;
    public const int InfoColour = 0x1976D2;
    public const int ResolvedColour = 0x2E7D32;

    /// <summary>What one alert's embed may use of a digest's 6,000 characters, so several alerts fit.</summary>
    private const int DigestEmbedShare = 1200;

    /// <summary>Kept free for the closing "…and N more" embed.</summary>
    private const int OverflowReserve = 900;

    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;

    public DiscordReceiver(string name, DiscordOptions options, HttpClient http, TimeProvider time)
    {
        Name = name;
        _http = http;
        _time = time;
        _redactor = new Redactor(Redactor.UrlSecrets(options.WebhookUrl));
        // wait=true: Discord answers only once the message exists, with the message, instead of a bare 204.
        _url = new Uri(options.WebhookUrl + (options.WebhookUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "wait=true");
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
            return DeliveryResult.Failed($"discord receiver '{Name}': {failure}");
        }

        if (answer.IsSuccess)
        {
            return DeliveryResult.Ok;
        }

        TimeSpan? hint = null;
        string? detail = null;
        try
        {
            using var doc = JsonDocument.Parse(answer.Body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("retry_after", out var r) && r.TryGetDouble(out var seconds))
                {
                    hint = RetryHint.Seconds(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    detail = m.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        if (answer.Status == 429)
        {
            var resetAfter = answer.Headers.TryGetValues("X-RateLimit-Reset-After", out var values) ? RetryHint.Seconds(values.FirstOrDefault()) : null;
            hint = RetryHint.Longest(hint, resetAfter, RetryHint.FromRetryAfter(answer.Headers, _time)) ?? TimeSpan.FromSeconds(1);
        }

        var what = $"discord receiver '{Name}': the webhook answered {answer.StatusText}";
        if (detail is { Length: > 0 })
        {
            what += $" ({_redactor.Redact(detail.Length > 200 ? detail[..200] + "…" : detail)})";
        }

        if (hint is { } wait)
        {
            what += $"; retry after {Durations.Format(wait)}";
        }

        return DeliveryResult.Failed(what, hint);
    }

    /// <summary>The webhook's JSON body for <paramref name="message"/>.</summary>
    internal static JsonObject Payload(OutgoingMessage message, DateTimeOffset now)
    {
        var blocks = MessageText.Blocks(message, now);
        var header = MessageText.Header(message);
        var content = header ?? $"{blocks[0].Icon} {blocks[0].Title}";
        var embeds = new JsonArray();
        var used = 0;
        var share = message.IsDigest ? DigestEmbedShare : MaxDescription;
        var shown = 0;
        foreach (var block in blocks)
        {
            var title = Cut(block.Icon + " " + block.Title, MaxTitle);
            var description = Cut(Description(block), share);
            var rest = blocks.Count - shown - 1 + message.Omitted;
            var reserve = rest > 0 ? OverflowReserve : 0;
            var slots = rest > 0 ? MaxEmbeds - 1 : MaxEmbeds;
            if (embeds.Count >= slots || used + title.Length + description.Length > MaxTotal - reserve)
            {
                break;
            }

            var embed = new JsonObject
            {
                ["title"] = title,
                ["description"] = description,
                ["color"] = Colour(block),
            };
            if (block.Link is { } link)
            {
                embed["url"] = link;
            }

            embeds.Add(embed);
            used += title.Length + description.Length;
            shown++;
        }

        var notShown = blocks.Count - shown + message.Omitted;
        if (notShown > 0)
        {
            var title = $"…and {notShown} more";
            var names = new StringBuilder();
            if (message.ListUrl is { } list && Html.IsWebUrl(list))
            {
                names.Append("[Full list](").Append(list).Append(")\n");
            }

            var room = Math.Min(MaxDescription, MaxTotal - used - title.Length) - 1;
            foreach (var block in blocks.Skip(shown))
            {
                var line = $"{block.Icon} {Escape(block.Check ?? block.Title)}\n";
                if (names.Length + line.Length > room)
                {
                    names.Append('…');
                    break;
                }

                names.Append(line);
            }

            embeds.Add(new JsonObject
            {
                ["title"] = title,
                ["description"] = names.ToString().TrimEnd('\n'),
                ["color"] = blocks.Skip(shown).Any(b => !b.Resolved) ? CriticalColour : ResolvedColour,
            });
        }

        return new JsonObject
        {
            ["content"] = Cut(content, MaxContent),
            ["embeds"] = embeds,
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        };
    }

    internal static int Colour(AlertBlock block) => block.Resolved ? ResolvedColour : block.Severity switch
    {
        Severity.Critical => CriticalColour,
        Severity.Warning => WarningColour,
        _ => InfoColour,
    };

    private static string Description(AlertBlock block)
    {
        var sb = new StringBuilder();
        foreach (var line in block.Lines)
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            if (line.Label is not null)
            {
                sb.Append("**").Append(line.Label).Append(":** ");
            }

            sb.Append(line.Url is { } url ? $"[{Escape(line.Text)}]({url})" : Escape(line.Text));
        }

        if (block.Link is { } link)
        {
            sb.Append('\n').Append("[Open in Vigil](").Append(link).Append(')');
        }

        return sb.ToString();
    }

    /// <summary>Backslash-escapes Discord markdown, so a description shows as written and cannot fake a link or a
    /// mention; heading, list and quote markers only where they act, at the start of a line.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var lineStart = i == 0 || text[i - 1] == '\n';
            if (c is '\\' or '*' or '_' or '~' or '`' or '|' or '[' or ']' or '<' or '@' || (lineStart && c is '#' or '-' or '>'))
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static string Cut(string text, int max) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 2]) ? max - 2 : max - 1)] + "…";
}
