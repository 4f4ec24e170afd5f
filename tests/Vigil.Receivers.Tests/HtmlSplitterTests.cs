using System.Text.RegularExpressions;
using Vigil.Receivers.Text;

namespace Vigil.Receivers.Tests;

/// <summary>Telegram parts are each valid HTML within the limit: no cut inside a tag, an entity or a surrogate pair.</summary>
public sealed partial class HtmlSplitterTests
{
    [Fact]
    public void Sections_that_fit_are_packed_together_and_never_cut()
    {
        var parts = HtmlSplitter.Pack(["<b>one</b>", "<b>two</b>", "<b>three</b>"], 100);

        Assert.Equal(["<b>one</b>\n\n<b>two</b>\n\n<b>three</b>"], parts);
    }

    [Fact]
    public void A_300_alert_digest_splits_into_parts_within_the_limit_each_balanced_and_together_the_whole_text()
    {
        var message = Samples.Digest(300);
        var sections = MessageText.HtmlSections(message, Samples.Now);
        var parts = HtmlSplitter.Pack(sections, TelegramReceiver.MaxMessageLength);

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.True(p.Length <= TelegramReceiver.MaxMessageLength, $"part of {p.Length} characters"));
        Assert.All(parts, AssertBalanced);
        Assert.Equal(string.Join("\n\n", sections), string.Join("\n\n", parts));
        for (var i = 0; i < 300; i++)
        {
            Assert.Contains(parts, p => p.Contains($"DOWN: job-{i:D3}</b>", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_section_longer_than_the_limit_is_cut_between_tokens_with_tags_closed_and_reopened()
    {
        // A huge hostile description inside bold and a link, full of entities and emoji.
        var text = string.Concat(Enumerable.Repeat("a&amp;b &lt;x&gt; 🔴 ", 400));
        var html = $"🔴 <b>DOWN: job</b>\n<b>Issue:</b> <i>{text}</i>\n<a href=\"https://vigil.example/checks/job\">{text}</a>";

        foreach (var limit in new[] { 100, 257, 1000, 4096 })
        {
            var parts = HtmlSplitter.Split(html, limit);
            Assert.All(parts, p => Assert.True(p.Length <= limit, $"part of {p.Length} > {limit}"));
            Assert.All(parts, AssertBalanced);
            Assert.All(parts, p => Assert.DoesNotMatch(CutEntity(), Visible(p)));
            Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1]) || char.IsLowSurrogate(p[0]), "a surrogate pair was cut"));
            // Removing the closers and reopeners added at the cuts gives back the text.
            var visible = string.Concat(parts.Select(Visible));
            Assert.Equal(Visible(html).Replace("\n", "", StringComparison.Ordinal), visible.Replace("\n", "", StringComparison.Ordinal));
        }
    }

    private static string Visible(string html) => Tags().Replace(html, "");

    /// <summary>Every tag closed in order, nothing left open, no '&lt;' or '&amp;' outside a tag or entity.</summary>
    private static void AssertBalanced(string part)
    {
        var stack = new Stack<string>();
        foreach (Match m in Tags().Matches(part))
        {
            var tag = m.Value;
            var name = TagName().Match(tag).Groups[1].Value;
            if (tag.StartsWith("</", StringComparison.Ordinal))
            {
                Assert.True(stack.Count > 0 && stack.Pop() == name, $"unbalanced </{name}> in: {part}");
            }
            else
            {
                stack.Push(name);
            }
        }

        Assert.True(stack.Count == 0, $"left open: {string.Join(",", stack)} in: {part}");
        var withoutTags = Tags().Replace(part, "");
        Assert.DoesNotContain("<", withoutTags, StringComparison.Ordinal);
        Assert.DoesNotContain(">", withoutTags, StringComparison.Ordinal);
        Assert.DoesNotMatch(BareAmpersand(), withoutTags);
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex("^</?([a-z]+)")]
    private static partial Regex TagName();

    [GeneratedRegex("&(?!(amp|lt|gt|quot);)")]
    private static partial Regex BareAmpersand();

    [GeneratedRegex("&[a-z]*$|^[a-z]*;")]
    private static partial Regex CutEntity();
}
