namespace Vigil.Configuration.Receivers;

public enum EmailTls { StartTls, Tls, None }

/// <summary>SMTP. <see cref="ApiUrl"/>, when set, is an HTTP endpoint used instead of SMTP (tests,
/// mail APIs).</summary>
public sealed record EmailReceiver(string Name, string SmtpHost, int SmtpPort, string From, IReadOnlyList<string> To) : ReceiverConfig(Name)
{
    public override string Kind => "email";
    public EmailTls Tls { get; init; } = EmailTls.StartTls;
    public string? Username { get; init; }
    public Secret? Password { get; init; }
    public Uri? ApiUrl { get; init; }
}
