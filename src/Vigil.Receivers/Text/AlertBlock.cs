using Vigil.Domain.Checks;

namespace Vigil.Receivers.Text;

/// <summary>One alert as people read it: an icon, a headline and labelled lines. Every receiver renders the same
/// blocks in its own markup, so Telegram, Discord, Slack and email say the same thing.</summary>
internal sealed record AlertBlock(string Icon, string Title, Severity Severity, bool Resolved, IReadOnlyList<TextLine> Lines)
{
    /// <summary>The check's dashboard page, when <c>server.public_url</c> is set.</summary>
    public string? Link { get; init; }

    public string? Check { get; init; }
}

/// <summary>A line of a block. <see cref="Label"/> is shown bold where the markup allows; <see cref="Url"/>, when set,
/// makes <see cref="Text"/> a link (only http and https URLs become links).</summary>
internal sealed record TextLine(string? Label, string Text, string? Url = null);
