using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Vigil.Domain.Time;
using Vigil.Receivers.Text;

namespace Vigil.Receivers;

public enum EmailTls { StartTls, Tls, None }

/// <summary>SMTP settings. <see cref="TlsVerify"/> false accepts any certificate: for tests and throwaway setups only;
/// <see cref="CaFile"/> trusts one more CA (or a self-signed server certificate) instead.</summary>
public sealed record EmailOptions(string Host, int Port, string From, IReadOnlyList<string> To) : ReceiverOptions
{
    /// <summary>The default value is 30 seconds: connect, TLS, auth and the whole transfer of one message.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public override string Kind => "email";

    public EmailTls Tls { get; init; } = EmailTls.StartTls;
    public string? Username { get; init; }
    public string? Password { get; init; }
    public bool TlsVerify { get; init; } = true;
    public string? CaFile { get; init; }
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public bool Equals(EmailOptions? other) =>
        other is not null && Host == other.Host && Port == other.Port && From == other.From && To.SequenceEqual(other.To)
        && Tls == other.Tls && Username == other.Username && Password == other.Password && TlsVerify == other.TlsVerify
        && CaFile == other.CaFile && Timeout == other.Timeout;

    public override int GetHashCode() => HashCode.Combine(Host, Port, From, Tls, Username, TlsVerify, CaFile, Timeout);

    public override string ToString() => $"email via {Host}:{Port} ({Tls.ToString().ToLowerInvariant()}) to {string.Join(", ", To)}";
}

/// <summary>
/// Sends one email per message over SMTP with MailKit: a subject naming the check(s), plain-text and HTML
/// alternatives, and a <c>Message-ID</c> derived from the idempotency key, so a retried message is recognisably
/// the same one. Every attempt is bounded by <see cref="EmailOptions.Timeout"/>.
/// </summary>
public sealed class EmailReceiver : IReceiver
{
    private readonly EmailOptions _options;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;

    public EmailReceiver(string name, EmailOptions options, TimeProvider time)
    {
        Name = name;
        _options = options;
        _time = time;
        _redactor = new Redactor(options.Password);
    }

    public string Name { get; }

    /// <summary>The email for <paramref name="message"/>, exactly as it will be sent.</summary>
    public MimeMessage Build(OutgoingMessage message)
    {
        var now = _time.GetUtcNow();
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(_options.From));
        foreach (var to in _options.To)
        {
            mime.To.Add(MailboxAddress.Parse(to));
        }

        mime.Subject = MessageText.Subject(message);
        mime.Date = now;
        mime.MessageId = MessageId(message.IdempotencyKey);
        mime.Headers.Add("X-Vigil-Idempotency-Key", message.IdempotencyKey);
        mime.Body = new MultipartAlternative
        {
            new TextPart(MimeKit.Text.TextFormat.Plain) { Text = MessageText.Plain(message, now) },
            new TextPart(MimeKit.Text.TextFormat.Html) { Text = MessageText.HtmlDocument(message, now) },
        };
        return mime;
    }

    /// <summary><c>{key}@{the From address's domain}</c>: stable over retries, unique per message.</summary>
    public string MessageId(string idempotencyKey)
    {
        var address = MailboxAddress.Parse(_options.From).Address;
        var at = address.LastIndexOf('@');
        var domain = at >= 0 && at < address.Length - 1 ? address[(at + 1)..] : "vigil.invalid";
        return $"{idempotencyKey}@{domain}";
    }

    public async Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct)
    {
        var where = $"{_options.Host}:{_options.Port}";
        MimeMessage mime;
        try
        {
            mime = Build(message);
        }
        catch (ParseException ex)
        {
            return DeliveryResult.Failed($"email receiver '{Name}': an address is not valid ({ex.Message})");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.Timeout);
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        client.ServerCertificateValidationCallback = ValidateCertificate;
        var stage = "connecting";
        try
        {
            await client.ConnectAsync(_options.Host, _options.Port, _options.Tls switch
            {
                EmailTls.Tls => SecureSocketOptions.SslOnConnect,
                EmailTls.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            }, deadline.Token).ConfigureAwait(false);
            if (_options.Username is not null)
            {
                stage = "logging in";
                await client.AuthenticateAsync(_options.Username, _options.Password ?? "", deadline.Token).ConfigureAwait(false);
            }

            stage = "sending";
            await client.SendAsync(mime, deadline.Token).ConfigureAwait(false);
            stage = "closing";
            await client.DisconnectAsync(true, deadline.Token).ConfigureAwait(false);
            return DeliveryResult.Ok;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail($"no answer from {where} within {Durations.Format(_options.Timeout)} while {stage} (timed out)");
        }
        catch (TimeoutException)
        {
            return Fail($"no answer from {where} within {Durations.Format(_options.Timeout)} while {stage} (timed out)");
        }
        catch (SslHandshakeException ex)
        {
            var hint = _options.TlsVerify ? " (set ca_file to the server's CA, or fix the certificate)" : "";
            return Fail($"TLS with {where} failed: {FirstLine(ex.Message)}{hint}");
        }
        catch (MailKit.Security.AuthenticationException ex)
        {
            return Fail($"{where} refused the login of '{_options.Username}': {FirstLine(ex.Message)}");
        }
        catch (SmtpCommandException ex)
        {
            return Fail($"{where} answered {(int)ex.StatusCode} while {stage}: {FirstLine(ex.Message)}");
        }
        catch (NotSupportedException ex)
        {
            return Fail($"{where} cannot do what tls: {_options.Tls.ToString().ToLowerInvariant()} needs: {FirstLine(ex.Message)}");
        }
        catch (SocketException ex)
        {
            return Fail(ex.SocketErrorCode == SocketError.ConnectionRefused
                ? $"connection to {where} refused"
                : $"cannot reach {where}: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or ProtocolException or ServiceNotConnectedException or CryptographicException)
        {
            return Fail($"SMTP with {where} failed while {stage}: {FirstLine(ex.Message)}");
        }
    }

    private DeliveryResult Fail(string what) => DeliveryResult.Failed(_redactor.Redact($"email receiver '{Name}': {what}"));

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_options.TlsVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Only an untrusted chain can be cured by a configured CA; a wrong name or no certificate cannot.
        if (_options.CaFile is null || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var ca = X509CertificateLoader.LoadCertificateFromFile(_options.CaFile);
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }
}
