using Vigil.Configuration.Receivers;

namespace Vigil.Configuration.Tests;

/// <summary>The receiver keys the receivers use: api_url, message_thread_id, tls, tls_verify, ca_file, timeout, format.</summary>
public sealed class ReceiverKeysTests
{
    [Fact]
    public void Every_receiver_key_is_read()
    {
        using var dir = new TempDirectory();
        var ca = Path.Combine(dir.Path, "ca.pem");
        File.WriteAllText(ca, "not checked here");
        var config = TestConfig.Valid($$"""
            receivers:
              tg: { telegram: { token: "${TG}", chat_id: "-100", api_url: "http://127.0.0.1:8081", message_thread_id: 77 } }
              dc: { discord: { webhook_url: "${DC}", api_url: "http://127.0.0.1:8082" } }
              sl: { slack: { webhook_url: "${SL}" } }
              mail: { email: { smtp: "127.0.0.1:2525", tls: tls, tls_verify: false, ca_file: "{{ca}}", timeout: 5s, username: u, password: "${PW}", from: a@example.com, to: [b@example.com] } }
              am: { webhook: { url: "http://127.0.0.1:9093/hook", format: alertmanager, timeout: 3s, headers: { Authorization: "Bearer ${PW}" } } }
            """, TestConfig.Env(("TG", "1:tok"), ("DC", "https://discord.com/api/webhooks/1/x"), ("SL", "https://hooks.slack.com/services/T/B/x"), ("PW", "pw")));

        var tg = Assert.IsType<TelegramReceiver>(config.Receivers["tg"]);
        Assert.Equal(new Uri("http://127.0.0.1:8081"), tg.ApiUrl);
        Assert.Equal(77, tg.MessageThreadId);
        Assert.Equal(new Uri("http://127.0.0.1:8082"), Assert.IsType<DiscordReceiver>(config.Receivers["dc"]).ApiUrl);
        var mail = Assert.IsType<EmailReceiver>(config.Receivers["mail"]);
        Assert.Equal(EmailTls.Tls, mail.Tls);
        Assert.False(mail.TlsVerify);
        Assert.Equal(ca, mail.CaFile);
        Assert.Equal(TimeSpan.FromSeconds(5), mail.Timeout);
        Assert.Equal(2525, mail.SmtpPort);
        var am = Assert.IsType<WebhookReceiver>(config.Receivers["am"]);
        Assert.Equal(WebhookFormat.Alertmanager, am.Format);
        Assert.Equal(TimeSpan.FromSeconds(3), am.Timeout);
        Assert.Equal("Bearer pw", am.Headers["Authorization"].Reveal());
    }

    [Fact]
    public void Defaults_verify_tls_and_use_the_public_bot_api()
    {
        var config = TestConfig.Valid("""
            receivers:
              tg: { telegram: { token: t, chat_id: "1" } }
              mail: { email: { smtp: mail.example.com, from: a@example.com, to: [b@example.com] } }
            """);

        var tg = Assert.IsType<TelegramReceiver>(config.Receivers["tg"]);
        Assert.Equal(new Uri("https://api.telegram.org"), tg.ApiUrl);
        Assert.Null(tg.MessageThreadId);
        var mail = Assert.IsType<EmailReceiver>(config.Receivers["mail"]);
        Assert.True(mail.TlsVerify);
        Assert.Equal(EmailTls.StartTls, mail.Tls);
        Assert.Equal(587, mail.SmtpPort);
        Assert.Null(mail.CaFile);
    }

    [Fact]
    public void Bad_values_are_problems_at_their_line_and_column()
    {
        var problems = TestConfig.Problems("""
            receivers:
              tg: { telegram: { token: t, chat_id: "1", message_thread_id: topic } }
              mail: { email: { smtp: m.example.com, tls: ssl, tls_verify: maybe, ca_file: /nonexistent/ca.pem, timeout: soon, username: u, from: a@example.com, to: [b@example.com] } }
              dc: { discord: { webhook_url: "not a url", api_url: "ftp//x" } }
            """);

        TestConfig.At(TestConfig.Single(problems, "receivers.tg.telegram.message_thread_id"), 2, 64);
        TestConfig.At(TestConfig.Single(problems, "receivers.mail.email.tls:"), 3, 46);
        TestConfig.At(TestConfig.Single(problems, "receivers.mail.email.tls_verify"), 3, 63);
        var ca = TestConfig.Single(problems, "receivers.mail.email.ca_file");
        Assert.Equal("receivers.mail.email.ca_file: no file at /nonexistent/ca.pem", ca.Message);
        TestConfig.At(ca, 3, 79);
        TestConfig.Single(problems, "receivers.mail.email.timeout");
        Assert.Contains("a username needs a password", TestConfig.Single(problems, "receivers.mail.email.password").Message, StringComparison.Ordinal);
        var url = TestConfig.Single(problems, "receivers.dc.discord.webhook_url");
        Assert.DoesNotContain("not a url", url.Message, StringComparison.Ordinal);
        TestConfig.Single(problems, "receivers.dc.discord.api_url");
    }
}
