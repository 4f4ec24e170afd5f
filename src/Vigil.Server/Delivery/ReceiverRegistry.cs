using Vigil.Receivers;

namespace Vigil.Server.Delivery;

/// <summary>The receivers built from the config, by name.</summary>
internal sealed class ReceiverRegistry
{
    public const string HttpClientName = "vigil-receivers";

    private readonly Dictionary<string, IReceiver> _receivers = new(StringComparer.Ordinal);

    public ReceiverRegistry(ServerSettings settings, IHttpClientFactory httpClients, TimeProvider time)
    {
        foreach (var receiver in settings.Receivers)
        {
            IReceiver? built = receiver.Kind switch
            {
                "webhook" => new WebhookReceiver(receiver.Name, new WebhookOptions(receiver.Url!, receiver.Secret, settings.PublicUrl), httpClients.CreateClient(HttpClientName), time),
                "file" => new FileReceiver(receiver.Name, receiver.Path!),
                _ => null,
            };
            if (built is not null)
            {
                _receivers[receiver.Name] = built;
            }
        }
    }

    public IReceiver? Find(string name) => _receivers.GetValueOrDefault(name);
}
