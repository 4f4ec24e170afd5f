using System.Text;

namespace Vigil.Receivers.Text;

/// <summary>HTML escaping for text and attribute values. Only the four entities Telegram's HTML parse mode knows
/// are produced (<c>&amp;lt; &amp;gt; &amp;amp; &amp;quot;</c>), so the same text is valid there and in email.</summary>
internal static class Html
{
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                default:
                    // Control characters other than newline and tab are not valid in HTML text; show nothing for them.
                    if (!char.IsControl(c) || c is '\n' or '\t')
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>An <c>&lt;a&gt;</c> for http(s) URLs; anything else is shown as escaped text, never as a link
    /// (a hostile <c>javascript:</c> runbook must not become clickable).</summary>
    public static string Link(string text, string? url) =>
        IsWebUrl(url) ? $"<a href=\"{Escape(url!)}\">{Escape(text)}</a>" : Escape(text);

    public static bool IsWebUrl(string? url) =>
        url is not null
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
