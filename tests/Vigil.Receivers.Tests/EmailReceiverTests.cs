using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Vigil.Receivers.Tests;

/// <summary>SMTP with MailKit against a real SMTP server (aiosmtpd), STARTTLS with a throwaway certificate included.</summary>
public sealed class EmailReceiverTests
{
    private const string Password = "smtp-pass-word-42";

    private static EmailReceiver Receiver(int port, EmailTls tls, string? caFile = null, bool verify = true, string? user = null, string? password = null, double timeoutSeconds = 10) =>
        new("mail", new EmailOptions("127.0.0.1", port, "Vigil <vigil@example.com>", ["ops@example.com", "oncall@example.org"])
        {
            Tls = tls,
            CaFile = caFile,
            TlsVerify = verify,
            Username = user,
            Password = password,
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
        }, Samples.Clock());

    [Fact]
    public async Task Starttls_with_a_trusted_ca_file_and_login_sends_subject_alternatives_and_a_stable_message_id()
    {
        using var certificate = new TestCertificate();
        await using var smtp = await SmtpSink.StartAsync(certificate, requireTls: true, user: "alerts", password: Password);
        var receiver = Receiver(smtp.Port, EmailTls.StartTls, caFile: certificate.CertPath, user: "alerts", password: Password);
        var message = Samples.Single(Samples.Down() with { Description = "<script>alert(1)</script>" });

        var result = await receiver.DeliverAsync(message, CancellationToken.None);

        Assert.True(result.Delivered, result.Error + "\n" + smtp.Output);
        var mail = Assert.Single(smtp.Received());
        Assert.True(mail.Tls, "the message went over STARTTLS");
        Assert.Equal("alerts", mail.User);
        Assert.Equal("vigil@example.com", mail.MailFrom);
        Assert.Equal(["ops@example.com", "oncall@example.org"], mail.RcptTos);
        Assert.Equal("[Vigil] DOWN: nightly-backup", mail.Message.Subject);
        Assert.Equal($"{message.IdempotencyKey}@example.com", mail.Message.MessageId);
        Assert.Equal(message.IdempotencyKey, mail.Message.Headers["X-Vigil-Idempotency-Key"]);
        var alternative = Assert.IsType<MultipartAlternative>(mail.Message.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.StartsWith("🔴 DOWN: nightly-backup\n", mail.Message.TextBody?.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Issue: <script>alert(1)</script>", mail.Message.TextBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", mail.Message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", mail.Message.HtmlBody, StringComparison.Ordinal);

        // A retry of the same message is recognisably the same email.
        Assert.True((await receiver.DeliverAsync(message, CancellationToken.None)).Delivered);
        Assert.Equal(mail.Message.MessageId, smtp.Received()[1].Message.MessageId);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_with_a_sentence_and_tls_verify_false_accepts_it()
    {
        using var certificate = new TestCertificate();
        await using var smtp = await SmtpSink.StartAsync(certificate, requireTls: true);

        var refused = await Receiver(smtp.Port, EmailTls.StartTls).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.False(refused.Delivered);
        Assert.StartsWith($"email receiver 'mail': TLS with 127.0.0.1:{smtp.Port} failed: ", refused.Error, StringComparison.Ordinal);
        Assert.EndsWith("(set ca_file to the server's CA, or fix the certificate)", refused.Error, StringComparison.Ordinal);
        Assert.Empty(smtp.Received());

        var accepted = await Receiver(smtp.Port, EmailTls.StartTls, verify: false).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.True(accepted.Delivered, accepted.Error);
        Assert.True(Assert.Single(smtp.Received()).Tls);
    }

    [Fact]
    public async Task Implicit_tls_delivers_over_tls()
    {
        using var certificate = new TestCertificate();
        await using var smtp = await SmtpSink.StartAsync(certificate, implicitTls: true);

        var result = await Receiver(smtp.Port, EmailTls.Tls, caFile: certificate.CertPath).DeliverAsync(Samples.Single(Samples.Resolved()), CancellationToken.None);

        Assert.True(result.Delivered, result.Error + "\n" + smtp.Output);
        var mail = Assert.Single(smtp.Received());
        Assert.True(mail.Tls);
        Assert.Equal("[Vigil] RESOLVED: nightly-backup (down)", mail.Message.Subject);
    }

    [Fact]
    public async Task Plain_smtp_sends_a_digest_with_a_subject_naming_the_checks()
    {
        await using var smtp = await SmtpSink.StartAsync();

        var result = await Receiver(smtp.Port, EmailTls.None).DeliverAsync(Samples.Digest(3), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var mail = Assert.Single(smtp.Received());
        Assert.False(mail.Tls);
        Assert.Equal("[Vigil] 3 issues need attention: job-000, job-001, job-002", mail.Message.Subject);
        Assert.StartsWith("3 issues need attention, 1 resolved", mail.Message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starttls_against_a_server_without_it_fails_instead_of_sending_in_clear()
    {
        await using var smtp = await SmtpSink.StartAsync();

        var result = await Receiver(smtp.Port, EmailTls.StartTls).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.StartsWith("email receiver 'mail': ", result.Error, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(smtp.Received());
    }

    [Fact]
    public async Task A_wrong_password_is_refused_without_showing_it()
    {
        using var certificate = new TestCertificate();
        await using var smtp = await SmtpSink.StartAsync(certificate, requireTls: true, user: "alerts", password: "the-right-one");

        var result = await Receiver(smtp.Port, EmailTls.StartTls, caFile: certificate.CertPath, user: "alerts", password: Password).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.StartsWith($"email receiver 'mail': 127.0.0.1:{smtp.Port} refused the login of 'alerts'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, new EmailOptions("h", 25, "a@b", ["c@d"]) { Password = Password }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_and_a_silent_server_fail_within_the_timeout()
    {
        var closed = Ports.Free();
        var refused = await Receiver(closed, EmailTls.None).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal($"email receiver 'mail': connection to 127.0.0.1:{closed} refused", refused.Error);

        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var started = TimeProvider.System.GetTimestamp();
        var hang = await Receiver(port, EmailTls.None, timeoutSeconds: 1).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.False(hang.Delivered);
        Assert.Equal($"email receiver 'mail': no answer from 127.0.0.1:{port} within 1s while connecting (timed out)", hang.Error);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }
}
