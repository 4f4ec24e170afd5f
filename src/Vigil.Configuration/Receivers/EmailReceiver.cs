namespace Vigil.Configuration.Receivers;

public enum EmailTls { StartTls, Tls, None }

/// <summary>SMTP. <see cref="ApiUrl"/> (an HTTP mail API instead of SMTP) is parsed but not delivered to yet.</summary>
public sealed record EmailReceiver(string Name, string SmtpHost, int SmtpPort, string From, IReadOnlyList<string> To) : ReceiverConfig(Name)
{
    public override string Kind => "email";
    public EmailTls Tls { get; init; } = EmailTls.StartTls;
    public string? Username { get; init; }
    public Secret? Password { get; init; }
    public Uri? ApiUrl { get; init; }

    /// <summary>False accepts any server certificate: for tests and throwaway setups only.</summary>
    public bool TlsVerify { get; init; } = true;

    /// <summary>A PEM or DER certificate (absolute path) trusted as a CA for the server's certificate.</summary>
    public string? CaFile { get; init; }

    /// <summary>Bounds one whole SMTP exchange; null: the sender's default.</summary>
    public TimeSpan? Timeout { get; init; }
}
