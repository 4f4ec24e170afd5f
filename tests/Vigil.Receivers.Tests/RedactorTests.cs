namespace Vigil.Receivers.Tests;

/// <summary>Secrets are masked wherever a lower layer quotes them: whole URLs, path segments, percent-encoded forms.</summary>
public sealed class RedactorTests
{
    [Fact]
    public void A_telegram_token_is_masked_plain_and_percent_encoded()
    {
        var redactor = new Redactor("123456:ABC-def_ghi");

        Assert.Equal("POST https://api.telegram.org/bot(secret)/sendMessage failed", redactor.Redact("POST https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage failed"));
        Assert.Equal("bot(secret)/x", redactor.Redact("bot123456%3AABC-def_ghi/x"));
    }

    [Fact]
    public void A_webhook_url_is_masked_whole_and_its_token_segments_alone()
    {
        var url = "https://discord.com/api/webhooks/1234567890123456789/AbCdEfGhIjKlMnOpQrStUvWxYz";
        var redactor = new Redactor(Redactor.UrlSecrets(url));

        Assert.Equal("error at (secret)", redactor.Redact("error at " + url));
        Assert.Equal("path (secret) and (secret)", redactor.Redact("path 1234567890123456789 and AbCdEfGhIjKlMnOpQrStUvWxYz"));
        Assert.Equal("host discord.com is fine", redactor.Redact("host discord.com is fine"));
    }
}
