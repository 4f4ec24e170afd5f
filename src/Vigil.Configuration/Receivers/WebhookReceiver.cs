namespace Vigil.Configuration.Receivers;

public enum WebhookFormat { Vigil, Alertmanager }

/// <summary>POSTs JSON to <see cref="Url"/>; signs the body with <see cref="SigningSecret"/> when given.</summary>
public sealed record WebhookReceiver(string Name, Uri Url) : ReceiverConfig(Name)
{
    public override string Kind => "webhook";
    public Secret? SigningSecret { get; init; }
    public WebhookFormat Format { get; init; } = WebhookFormat.Vigil;

    /// <summary>Extra request headers; values are secrets (they often carry credentials).</summary>
    public IReadOnlyDictionary<string, Secret> Headers { get; init; } = new Dictionary<string, Secret>();

    /// <summary>Null: the sender's default.</summary>
    public TimeSpan? Timeout { get; init; }
}
