using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Receivers.Text;

namespace Vigil.Receivers.Tests;

/// <summary>What a tired operator reads on a phone: the check, what happened, since when, the last good signal, the
/// severity, the Issue and Action lines and a link; digests open with a count; resolved alerts say how long.</summary>
public sealed class MessageTextTests
{
    [Fact]
    public void A_firing_alert_says_what_since_when_last_good_severity_issue_action_and_links_the_check()
    {
        var text = MessageText.Plain(Samples.Single(Samples.Down()), Samples.Now);

        Assert.Equal(
            """
            🔴 DOWN: nightly-backup
            no signal since 2026-03-02T07:00:00Z; expected at 2026-03-02T08:00:00Z (every 1h), grace 1h ran out
            Since: 5m ago (2026-03-02 09:02:00 UTC)
            Last good: 2h 7m ago (2026-03-02 07:00:00 UTC)
            Severity: critical
            Issue: Nightly database backup to S3
            Action: https://wiki.example/runbooks/backup
            Open: https://vigil.example/checks/nightly-backup
            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void A_resolved_alert_says_how_long_it_lasted()
    {
        var text = MessageText.Plain(Samples.Single(Samples.Resolved()), Samples.Now);

        Assert.StartsWith("✅ RESOLVED: nightly-backup (down)\na success ping arrived\n", text, StringComparison.Ordinal);
        Assert.Contains("Lasted: 2h 4m (2026-03-02 07:02:00 → 09:06:00 UTC)", text, StringComparison.Ordinal);
        Assert.Contains("Resolved: 1m ago (2026-03-02 09:06:00 UTC)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_public_url_there_is_no_dashboard_link_and_without_description_or_runbook_no_issue_or_action_line()
    {
        var bare = Samples.Down() with { Description = null, Runbook = null, LastGoodAt = null };
        var text = MessageText.Plain(Samples.Single(bare, publicUrl: null), Samples.Now);

        Assert.DoesNotContain("Open:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Issue:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Action:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Last good:", text, StringComparison.Ordinal);
        Assert.Contains("Severity: critical", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_digest_opens_with_how_many_issues_need_attention_and_how_many_resolved()
    {
        var digest = Samples.Digest(3);

        Assert.Equal("3 issues need attention, 1 resolved", MessageText.Header(digest));
        Assert.StartsWith("3 issues need attention, 1 resolved\n\n🔴 DOWN: job-000", MessageText.Plain(digest, Samples.Now), StringComparison.Ordinal);
        Assert.Equal("1 issue needs attention, 1 resolved", MessageText.Header(new OutgoingMessage("k", "ops", [Samples.Down(), Samples.Resolved("other")])));
        Assert.Equal("2 resolved", MessageText.Header(new OutgoingMessage("k", "ops", [Samples.Resolved("a"), Samples.Resolved("b")])));
        Assert.Null(MessageText.Header(Samples.Single(Samples.Down())));
    }

    [Fact]
    public void A_digest_with_omitted_alerts_says_how_many_more_and_links_the_full_list()
    {
        var digest = Samples.Digest(2, omitted: 7);
        var text = MessageText.Plain(digest, Samples.Now);

        Assert.StartsWith("2 issues need attention, 1 resolved, 7 more not shown", text, StringComparison.Ordinal);
        Assert.EndsWith("…and 7 more: full list https://vigil.example/checks?status=down", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Subjects_name_the_check_or_the_checks()
    {
        Assert.Equal("[Vigil] DOWN: nightly-backup", MessageText.Subject(Samples.Single(Samples.Down())));
        Assert.Equal("[Vigil] RESOLVED: nightly-backup (down)", MessageText.Subject(Samples.Single(Samples.Resolved())));
        Assert.Equal("[Vigil] 3 issues need attention: job-000, job-001, job-002", MessageText.Subject(Samples.Digest(3)));
        var long_ = MessageText.Subject(Samples.Digest(300));
        Assert.StartsWith("[Vigil] 300 issues need attention: job-000, job-001, ", long_, StringComparison.Ordinal);
        Assert.EndsWith("…", long_, StringComparison.Ordinal);
        Assert.True(long_.Length <= 120, long_);
    }

    [Fact]
    public void Html_escapes_a_hostile_description_and_never_links_a_javascript_runbook()
    {
        var hostile = Samples.Down() with
        {
            Description = "<script>alert('x')</script> & <b>bold</b> \"quoted\"",
            Runbook = "javascript:alert(1)",
        };
        var html = MessageText.HtmlText(Samples.Single(hostile), Samples.Now);

        Assert.Contains("<b>Issue:</b> &lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("<b>Action:</b> javascript:alert(1)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://vigil.example/checks/nightly-backup\">Open in Vigil</a>", html, StringComparison.Ordinal);
        var document = MessageText.HtmlDocument(Samples.Single(hostile), Samples.Now);
        Assert.DoesNotContain("<script", document, StringComparison.Ordinal);
        Assert.Contains("<br>", document, StringComparison.Ordinal);
    }

    [Fact]
    public void Vigil_restarted_has_no_check_and_reads_as_the_event()
    {
        var restarted = new Notification
        {
            Id = Guid.NewGuid(),
            Alert = AlertKind.VigilRestarted,
            State = Notification.Firing,
            Severity = Severity.Info,
            Reason = "Vigil was not watching for 5m",
            At = Samples.Now,
            Since = Samples.Now.AddMinutes(-5),
        };
        var text = MessageText.Plain(Samples.Single(restarted), Samples.Now);

        Assert.StartsWith("🔵 VIGIL RESTARTED\nVigil was not watching for 5m\nSince: 5m ago", text, StringComparison.Ordinal);
        Assert.Equal("[Vigil] VIGIL RESTARTED", MessageText.Subject(Samples.Single(restarted)));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(330, "5m 30s")]
    [InlineData(7200, "2h")]
    [InlineData(7500, "2h 5m")]
    [InlineData(273600, "3d 4h")]
    public void Spans_use_at_most_two_units(int seconds, string expected) =>
        Assert.Equal(expected, HumanTime.Span(TimeSpan.FromSeconds(seconds)));
}
