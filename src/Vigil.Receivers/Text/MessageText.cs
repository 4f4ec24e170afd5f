using System.Globalization;
using System.Text;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;

namespace Vigil.Receivers.Text;

/// <summary>
/// The words of a message, shared by every chat and email receiver. Written for a phone screen: per alert the
/// check and what happened, since when (relative and UTC), the last good signal, the severity, an Issue line
/// (the check's description) and an Action line (its runbook), and a link to the check on the dashboard; a
/// digest opens with how many issues need attention; a resolved alert says how long it lasted.
/// </summary>
internal static class MessageText
{
    public const string CriticalIcon = "🔴";
    public const string WarningIcon = "🟠";
    public const string InfoIcon = "🔵";
    public const string ResolvedIcon = "✅";

    /// <summary>The blocks of a message, one per alert, in the message's order.</summary>
    public static IReadOnlyList<AlertBlock> Blocks(OutgoingMessage message, DateTimeOffset now) =>
        [.. message.Notifications.Select(n => Block(n, message, now))];

    public static AlertBlock Block(Notification n, OutgoingMessage message, DateTimeOffset now)
    {
        var resolved = n.State == Notification.Resolved;
        var kind = KindTitle(n.Alert);
        var subject = n.Check ?? n.Breaker;
        var title = resolved
            ? subject is null ? $"RESOLVED: {kind}" : $"RESOLVED: {subject} ({kind.ToLowerInvariant()})"
            : subject is null ? kind : $"{kind}: {subject}";
        var lines = new List<TextLine> { new(null, n.Reason) };
        if (resolved)
        {
            if (n.Since is { } since && n.At >= since)
            {
                lines.Add(new("Lasted", $"{HumanTime.Span(n.At - since)} ({HumanTime.Range(since, n.At)})"));
            }

            lines.Add(new("Resolved", HumanTime.AgoAndUtc(n.At, now)));
        }
        else
        {
            lines.Add(new("Since", HumanTime.AgoAndUtc(n.Since ?? n.At, now)));
        }

        if (n.LastGoodAt is { } good)
        {
            lines.Add(new("Last good", HumanTime.AgoAndUtc(good, now)));
        }

        lines.Add(new("Severity", n.Severity.Text()));
        if (!string.IsNullOrWhiteSpace(n.Description))
        {
            lines.Add(new("Issue", n.Description));
        }

        if (!string.IsNullOrWhiteSpace(n.Runbook))
        {
            lines.Add(new("Action", n.Runbook, Html.IsWebUrl(n.Runbook) ? n.Runbook : null));
        }

        var icon = resolved ? ResolvedIcon : n.Severity switch
        {
            Severity.Critical => CriticalIcon,
            Severity.Warning => WarningIcon,
            _ => InfoIcon,
        };
        return new AlertBlock(icon, title, n.Severity, resolved, lines) { Link = message.CheckUrl(n.Check), Check = n.Check };
    }

    /// <summary>"3 issues need attention, 1 resolved" for a digest; null for a single alert.</summary>
    public static string? Header(OutgoingMessage message)
    {
        if (!message.IsDigest)
        {
            return null;
        }

        var firing = message.Notifications.Count(n => n.State != Notification.Resolved);
        var resolved = message.Notifications.Count - firing;
        var parts = new List<string>(3);
        if (firing > 0)
        {
            parts.Add(firing == 1 ? "1 issue needs attention" : $"{firing} issues need attention");
        }

        if (resolved > 0)
        {
            parts.Add($"{resolved} resolved");
        }

        if (message.Omitted > 0)
        {
            parts.Add($"{message.Omitted} more not shown");
        }

        return string.Join(", ", parts);
    }

    /// <summary>The closing line when alerts were left out: where to see all of them.</summary>
    public static TextLine? Footer(OutgoingMessage message) =>
        message.Omitted <= 0 ? null
        : message.ListUrl is { } url && Html.IsWebUrl(url)
            ? new TextLine($"…and {message.Omitted} more", "full list", url)
            : new TextLine(null, message.ListUrl is { } path
                ? $"…and {message.Omitted} more: the full list is at GET {path} on Vigil's API"
                : $"…and {message.Omitted} more: the full list is on the dashboard and under /api/v1/checks");

    /// <summary>"[Vigil] DOWN: nightly-backup", or for a digest "[Vigil] 3 issues need attention: a, b, c…".</summary>
    public static string Subject(OutgoingMessage message, int maxLength = 120)
    {
        string subject;
        if (!message.IsDigest)
        {
            var n = message.Notifications[0];
            var kind = KindTitle(n.Alert);
            var about = n.Check ?? n.Breaker;
            subject = n.State == Notification.Resolved
                ? about is null ? $"[Vigil] RESOLVED: {kind}" : $"[Vigil] RESOLVED: {about} ({kind.ToLowerInvariant()})"
                : about is null ? $"[Vigil] {kind}" : $"[Vigil] {kind}: {about}";
        }
        else
        {
            var firing = message.Notifications.Where(n => n.State != Notification.Resolved).ToList();
            var named = firing.Count > 0 ? firing : message.Notifications.ToList();
            var head = firing.Count > 0 ? Header(message with { Omitted = 0 })!.Split(',')[0] : $"{named.Count} resolved";
            var names = named.Select(n => n.Check ?? n.Breaker ?? KindTitle(n.Alert).ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
            var sb = new StringBuilder("[Vigil] ").Append(head).Append(": ");
            var cut = false;
            for (var i = 0; i < names.Count; i++)
            {
                var piece = (i == 0 ? "" : ", ") + names[i];
                if (sb.Length + piece.Length > maxLength - 1)
                {
                    cut = true;
                    break;
                }

                sb.Append(piece);
            }

            if (cut || message.Omitted > 0)
            {
                sb.Append('…');
            }

            subject = sb.ToString();
        }

        // A header must not carry line breaks; check names cannot, but be safe about the alert kinds too.
        return OneLine(subject);
    }

    /// <summary>The whole message as plain text: header, blocks separated by blank lines, footer.</summary>
    public static string Plain(OutgoingMessage message, DateTimeOffset now)
    {
        var sections = new List<string>();
        if (Header(message) is { } header)
        {
            sections.Add(header);
        }

        sections.AddRange(Blocks(message, now).Select(PlainBlock));
        if (Footer(message) is { } footer)
        {
            sections.Add(PlainLine(footer));
        }

        return string.Join("\n\n", sections);
    }

    public static string PlainBlock(AlertBlock block)
    {
        var sb = new StringBuilder();
        sb.Append(block.Icon).Append(' ').Append(block.Title);
        foreach (var line in block.Lines)
        {
            sb.Append('\n').Append(PlainLine(line));
        }

        if (block.Link is { } link)
        {
            sb.Append('\n').Append("Open: ").Append(link);
        }

        return sb.ToString();
    }

    public static string PlainLine(TextLine line)
    {
        var text = line.Url is { } url && url != line.Text ? $"{line.Text} {url}" : line.Text;
        return line.Label is null ? text : $"{line.Label}: {text}";
    }

    /// <summary>The sections of the message in Telegram's HTML subset (b, i, a; newlines, no br), each a balanced
    /// fragment: the header, one per alert, the footer. A splitter can pack them into parts without cutting tags.</summary>
    public static IReadOnlyList<string> HtmlSections(OutgoingMessage message, DateTimeOffset now)
    {
        var sections = new List<string>();
        if (Header(message) is { } header)
        {
            sections.Add($"<b>{Html.Escape(header)}</b>");
        }

        sections.AddRange(Blocks(message, now).Select(HtmlBlock));
        if (Footer(message) is { } footer)
        {
            sections.Add(HtmlLine(footer));
        }

        return sections;
    }

    /// <summary>The message in Telegram's HTML subset; sections separated by blank lines.</summary>
    public static string HtmlText(OutgoingMessage message, DateTimeOffset now) => string.Join("\n\n", HtmlSections(message, now));

    public static string HtmlBlock(AlertBlock block)
    {
        var sb = new StringBuilder();
        sb.Append(block.Icon).Append(" <b>").Append(Html.Escape(block.Title)).Append("</b>");
        foreach (var line in block.Lines)
        {
            sb.Append('\n').Append(HtmlLine(line));
        }

        if (block.Link is { } link)
        {
            sb.Append('\n').Append(Html.Link("Open in Vigil", link));
        }

        return sb.ToString();
    }

    public static string HtmlLine(TextLine line)
    {
        var text = Html.Link(line.Text, line.Url);
        return line.Label is null ? text : $"<b>{Html.Escape(line.Label)}:</b> {text}";
    }

    /// <summary>A complete HTML document for email: the same sections as paragraphs, line breaks as &lt;br&gt;.</summary>
    public static string HtmlDocument(OutgoingMessage message, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
            .Append(Html.Escape(Subject(message)))
            .Append("</title></head>\n<body style=\"font-family:sans-serif;font-size:15px;line-height:1.4\">\n");
        foreach (var section in HtmlSections(message, now))
        {
            sb.Append("<p>").Append(section.Replace("\n", "<br>\n", StringComparison.Ordinal)).Append("</p>\n");
        }

        return sb.Append("</body></html>\n").ToString();
    }

    /// <summary><c>down</c> → <c>DOWN</c>, <c>data_stale</c> → <c>DATA STALE</c>.</summary>
    public static string KindTitle(string alert) =>
        // Vigil's kinds are snake_case words (DOWN, DATA STALE); an alertname from Prometheus is usually CamelCase
        // (HighRequestLatency), which upper case would run together.
        OneLine(alert.Any(char.IsUpper) ? alert : alert.Replace('_', ' ').ToUpper(CultureInfo.InvariantCulture));

    private static string OneLine(string text) =>
        text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
            ? text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)
            : text;
}
