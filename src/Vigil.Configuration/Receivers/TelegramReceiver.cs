namespace Vigil.Configuration.Receivers;

public sealed record TelegramReceiver(string Name, Secret Token, string ChatId) : ReceiverConfig(Name)
{
    public static readonly Uri DefaultApiUrl = new("https://api.telegram.org");

    public override string Kind => "telegram";
    public Uri ApiUrl { get; init; } = DefaultApiUrl;

    /// <summary>The forum topic of a supergroup to post in; null: the chat itself.</summary>
    public long? MessageThreadId { get; init; }
}
