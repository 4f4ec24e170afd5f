namespace Vigil.Receivers;

/// <summary>Builds a receiver from its options. A shared <see cref="TelegramProgress"/> outlives any one receiver, so a
/// reload that rebuilds the Telegram receiver does not forget which parts of a split message were sent.</summary>
public static class ReceiverFactory
{
    public static IReceiver Create(string name, ReceiverOptions options, HttpClient http, TimeProvider time, TelegramProgress? telegramProgress = null) =>
        options switch
        {
            TelegramOptions telegram => new TelegramReceiver(name, telegram, http, time, telegramProgress),
            DiscordOptions discord => new DiscordReceiver(name, discord, http, time),
            SlackOptions slack => new SlackReceiver(name, slack, http, time),
            EmailOptions email => new EmailReceiver(name, email, time),
            WebhookOptions webhook => new WebhookReceiver(name, webhook, http, time),
            FileReceiverOptions file => new FileReceiver(name, file.Path),
            _ => throw new ArgumentException($"no receiver of kind {options.Kind}", nameof(options)),
        };
}
