using System.Text;

namespace Vigil.Receivers.Text;

/// <summary>
/// Cuts HTML of Telegram's subset into parts of at most <c>limit</c> characters, each valid on its own: a cut
/// never falls inside a tag, an entity or a surrogate pair; tags open at a cut are closed at the end of the part
/// and reopened at the start of the next. Whole sections are packed first; a section is cut only when it alone
/// is too long, preferably at a line break.
/// </summary>
internal static class HtmlSplitter
{
    private const string SectionSeparator = "\n\n";

    /// <summary>Packs balanced <paramref name="sections"/> into as few parts as fit, in order.</summary>
    public static IReadOnlyList<string> Pack(IReadOnlyList<string> sections, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 64);
        var parts = new List<string>();
        var current = new StringBuilder();
        foreach (var section in sections)
        {
            if (section.Length > limit)
            {
                Flush();
                parts.AddRange(Split(section, limit));
                continue;
            }

            if (current.Length > 0 && current.Length + SectionSeparator.Length + section.Length > limit)
            {
                Flush();
            }

            if (current.Length > 0)
            {
                current.Append(SectionSeparator);
            }

            current.Append(section);
        }

        Flush();
        return parts;

        void Flush()
        {
            if (current.Length > 0)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary>Cuts one balanced HTML fragment into parts of at most <paramref name="limit"/> characters.</summary>
    public static IReadOnlyList<string> Split(string html, int limit)
    {
        var tokens = Tokenize(html);
        var parts = new List<string>();
        var stack = new List<(string Name, string Open)>();
        var i = 0;
        while (i < tokens.Count)
        {
            // A part never starts with line breaks: they were the cut.
            while (i < tokens.Count && tokens[i] == "\n")
            {
                i++;
            }

            if (i == tokens.Count)
            {
                break;
            }

            var sb = new StringBuilder();
            foreach (var (_, open) in stack)
            {
                sb.Append(open);
            }

            var start = i;
            var breakAt = -1;
            var breakLength = 0;
            List<(string, string)>? breakStack = null;
            while (i < tokens.Count)
            {
                var next = Apply(stack, tokens[i]);
                if (sb.Length + tokens[i].Length + ClosersLength(next) > limit && i > start)
                {
                    break;
                }

                sb.Append(tokens[i]);
                stack = next;
                i++;
                if (tokens[i - 1] == "\n")
                {
                    breakAt = i;
                    breakLength = sb.Length - 1;
                    breakStack = [.. stack];
                }
            }

            if (i < tokens.Count && breakStack is not null && breakLength >= limit / 2)
            {
                // Cut at the last line break of the part rather than mid-line.
                sb.Length = breakLength;
                stack = breakStack;
                i = breakAt;
            }

            var text = sb.ToString().TrimEnd('\n');
            parts.Add(text + Closers(stack));
        }

        return parts;
    }

    /// <summary>Tags, entities, surrogate pairs and single characters: the units a cut may fall between.</summary>
    internal static List<string> Tokenize(string html)
    {
        var tokens = new List<string>(html.Length);
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            var end = c switch
            {
                '<' => html.IndexOf('>', i),
                '&' => html.IndexOf(';', i),
                _ => -1,
            };
            if (end > i && (c != '&' || end - i <= 10))
            {
                tokens.Add(html[i..(end + 1)]);
                i = end + 1;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < html.Length && char.IsLowSurrogate(html[i + 1]))
            {
                tokens.Add(html.Substring(i, 2));
                i += 2;
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }

        return tokens;
    }

    private static List<(string Name, string Open)> Apply(List<(string Name, string Open)> stack, string token)
    {
        if (token.Length < 3 || token[0] != '<')
        {
            return stack;
        }

        if (token[1] == '/')
        {
            var name = TagName(token, 2);
            var at = stack.FindLastIndex(t => t.Name == name);
            return at < 0 ? stack : stack[..at];
        }

        return token.EndsWith("/>", StringComparison.Ordinal) ? stack : [.. stack, (TagName(token, 1), token)];
    }

    private static string TagName(string token, int from)
    {
        var end = from;
        while (end < token.Length && char.IsAsciiLetterOrDigit(token[end]) || end < token.Length && token[end] == '-')
        {
            end++;
        }

        return token[from..end].ToLowerInvariant();
    }

    private static int ClosersLength(List<(string Name, string Open)> stack) => stack.Sum(t => t.Name.Length + 3);

    private static string Closers(List<(string Name, string Open)> stack)
    {
        var sb = new StringBuilder();
        for (var i = stack.Count - 1; i >= 0; i--)
        {
            sb.Append("</").Append(stack[i].Name).Append('>');
        }

        return sb.ToString();
    }
}
