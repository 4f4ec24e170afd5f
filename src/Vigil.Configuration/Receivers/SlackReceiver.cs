namespace Vigil.Configuration.Receivers;

/// <summary>The webhook URL embeds a token, so it is a secret. <see cref="ApiUrl"/>, when set, replaces the
/// scheme, host and port of the webhook URL (a self-hosted or test endpoint).</summary>
public sealed record SlackReceiver(string Name, Secret WebhookUrl) : ReceiverConfig(Name)
{
    public override string Kind => "slack";
    public Uri? ApiUrl { get; init; }
}
