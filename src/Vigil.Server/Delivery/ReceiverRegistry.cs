using Vigil.Domain.Notifications;
using Vigil.Receivers;

namespace Vigil.Server.Delivery;

/// <summary>The receivers built from the config, by name.</summary>
internal sealed class ReceiverRegistry
{
    public const string HttpClientName = "vigil-receivers";

    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _time;
    private readonly TelegramProgress _telegramProgress = new();
    private readonly Func<IReceiver, IReceiver>? _wrap;
    private volatile Dictionary<string, IReceiver> _receivers = new(StringComparer.Ordinal);
    private volatile string? _publicUrl;
    private volatile Router _router = Router.None;
    private volatile IReadOnlyDictionary<string, ReceiverLimit> _limits = new Dictionary<string, ReceiverLimit>();

    /// <summary>The receiver tried after every route's failover list: a <c>file</c> receiver by this name, when configured.</summary>
    public const string LastResort = "last-resort";

    // wrap: applied to every receiver built (a test seam, see VigilServerOptions.WrapReceiver).
    public ReceiverRegistry(ServerSettings settings, IHttpClientFactory httpClients, TimeProvider time, Func<IReceiver, IReceiver>? wrap = null)
    {
        _httpClients = httpClients;
        _time = time;
        _wrap = wrap;
        Replace(settings);
    }

    /// <summary>Builds the receivers of <paramref name="settings"/> and swaps them in at once.</summary>
    public void Replace(ServerSettings settings)
    {
        var httpClients = _httpClients;
        var time = _time;
        var receivers = new Dictionary<string, IReceiver>(StringComparer.Ordinal);
        foreach (var receiver in settings.Receivers)
        {
            ReceiverOptions? options = receiver.Options ?? receiver.Kind switch
            {
                "webhook" => new WebhookOptions(receiver.Url!, receiver.Secret),
                "file" => new FileReceiverOptions(receiver.Path!),
                _ => null,
            };
            if (options is not null)
            {
                var built = ReceiverFactory.Create(receiver.Name, options, httpClients.CreateClient(HttpClientName), time, _telegramProgress);
                receivers[receiver.Name] = _wrap?.Invoke(built) ?? built;
            }
        }

        _publicUrl = settings.PublicUrl;
        _router = new Router(settings.Routes);
        _limits = settings.Limits;
        _receivers = receivers;
    }

    public IReceiver? Find(string name) => _receivers.GetValueOrDefault(name);

    /// <summary>The configured pace of a receiver (<c>limits:</c>), or null for none.</summary>
    public ReceiverLimit? LimitFor(string name) => _limits.GetValueOrDefault(name);

    /// <summary>True when a route sends to <paramref name="receiver"/> with a group wait or interval.</summary>
    public bool Groups(string receiver) =>
        _router.Routes.Any(r => r.Receivers.Contains(receiver) && (r.GroupWait > TimeSpan.Zero || r.GroupInterval > TimeSpan.Zero));

    /// <summary>The longest a row may wait in its group under the current routes.</summary>
    public TimeSpan LongestGroupDelay => _router.LongestGroupDelay;

    /// <summary><c>server.public_url</c>, for the dashboard links in messages.</summary>
    public string? PublicUrl => _publicUrl;

    /// <summary>The names of the receivers configured now.</summary>
    public IReadOnlyCollection<string> Names => _receivers.Keys;

    /// <summary>Who to try, in order, when <paramref name="receiver"/> keeps failing to deliver
    /// <paramref name="notification"/>: its routes' failover receivers, then the last resort. Only receivers
    /// configured now, never <paramref name="receiver"/> itself.</summary>
    public IReadOnlyList<string> FailoverFor(Notification notification, string receiver)
    {
        var chain = new List<string>(_router.FailoverFor(notification, receiver));
        if (receiver != LastResort && !chain.Contains(LastResort))
        {
            chain.Add(LastResort);
        }

        var receivers = _receivers;
        return [.. chain.Where(receivers.ContainsKey)];
    }
}
