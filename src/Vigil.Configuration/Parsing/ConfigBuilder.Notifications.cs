using System.Globalization;
using Vigil.Configuration.Receivers;
using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Parsing;

internal sealed partial class ConfigBuilder
{
    private static readonly string[] ReceiverKinds = ["webhook", "file", "telegram", "discord", "slack", "email"];
    private static readonly string[] WebhookKeys = ["url", "secret", "format", "headers", "timeout"];
    private static readonly string[] FileKeys = ["path"];
    private static readonly string[] TelegramKeys = ["token", "chat_id", "api_url", "message_thread_id"];
    private static readonly string[] ChatWebhookKeys = ["webhook_url", "api_url"];
    private static readonly string[] EmailKeys = ["smtp", "tls", "tls_verify", "ca_file", "timeout", "username", "password", "from", "to", "api_url"];
    private static readonly string[] RouteKeys = ["match", "receivers", "failover", "group_wait", "group_interval", "repeat_interval", "continue"];
    /// <summary><c>alert</c> is the spec's key (one kind or a list); <c>alerts</c> is its older spelling, still read.</summary>
    private static readonly string[] MatchKeys = ["check", "tags", "severity", "alert", "alerts"];
    private static readonly string[] LimitKeys = ["rate"];
    private static readonly string[] SilenceKeys = ["match", "cron", "tz", "duration", "reason"];

    private static readonly string[] AlertKinds =
    [
        "down", "data_stale", "probe_warning", "probe_critical", "breaker_open", "too_often", "flapping",
        "delivery_failing", "vigil_restarted",
    ];

    private static readonly Dictionary<string, WebhookFormat> WebhookFormats = new(StringComparer.Ordinal)
    {
        ["vigil"] = WebhookFormat.Vigil,
        ["alertmanager"] = WebhookFormat.Alertmanager,
    };

    private static readonly Dictionary<string, EmailTls> TlsModes = new(StringComparer.Ordinal)
    {
        ["starttls"] = EmailTls.StartTls,
        ["tls"] = EmailTls.Tls,
        ["none"] = EmailTls.None,
    };

    private Dictionary<string, ReceiverConfig> ReadReceivers(MappingReader root)
    {
        var receivers = new Dictionary<string, ReceiverConfig>(StringComparer.Ordinal);
        foreach (var (key, path, mapping) in NamedMappings(root, "receivers"))
        {
            var r = new MappingReader(_problems, mapping, path, ReceiverKinds);
            var given = ReceiverKinds.Where(r.Present).ToList();
            if (given.Count != 1)
            {
                _problems.Add(given.Count == 0 ? mapping : r.Key(given[1])!, $"{path}: give exactly one of {string.Join(", ", ReceiverKinds)}");
            }

            if (given.Count == 0 || ReadReceiver(key.Value, given[0], r) is not { } receiver)
            {
                continue;
            }

            receivers[key.Value] = receiver;
        }

        return receivers;
    }

    private ReceiverConfig? ReadReceiver(string name, string kind, MappingReader parent)
    {
        var keys = kind switch
        {
            "webhook" => WebhookKeys,
            "file" => FileKeys,
            "telegram" => TelegramKeys,
            "email" => EmailKeys,
            _ => ChatWebhookKeys,
        };
        if (parent.Node(kind) is { } node && node is not YMapping)
        {
            parent.Map(kind);
            return null;
        }

        var r = parent.Read(kind, keys) ?? new MappingReader(_problems, new YMapping(parent.At(kind).Line, parent.At(kind).Column), parent.Sub(kind), keys);
        return kind switch
        {
            "webhook" => ReadWebhook(name, r),
            "file" => Require(r, "path", "the file to append alerts to") && r.String("path") is { } path ? new FileReceiver(name, ResolvePath(path)) : null,
            "telegram" => ReadTelegram(name, r),
            "email" => ReadEmail(name, r),
            "discord" => ReadChatWebhook(r) is { } discord ? new DiscordReceiver(name, discord.Url) { ApiUrl = discord.Api } : null,
            _ => ReadChatWebhook(r) is { } slack ? new SlackReceiver(name, slack.Url) { ApiUrl = slack.Api } : null,
        };
    }

    /// <summary>Discord and Slack: the webhook URL (a secret) and api_url, each read so both can report a problem.</summary>
    private (Secret Url, Uri? Api)? ReadChatWebhook(MappingReader r)
    {
        var api = r.Url("api_url");
        return Require(r, "webhook_url", "the channel's webhook URL") && r.Url("webhook_url", secret: true) is { } url
            ? (new Secret(url.OriginalString), api)
            : null;
    }

    private bool Require(MappingReader r, string key, string what)
    {
        r.Required(key, what);
        return r.Present(key);
    }

    private WebhookReceiver? ReadWebhook(string name, MappingReader r)
    {
        var secret = r.String("secret", secret: true);
        var format = r.Choice("format", WebhookFormats) ?? WebhookFormat.Vigil;
        var timeout = r.PositiveDuration("timeout");
        var headers = new Dictionary<string, Secret>(StringComparer.OrdinalIgnoreCase);
        if (r.Map("headers") is { } headerMap)
        {
            foreach (var entry in headerMap.Entries)
            {
                if (Values.String(entry.Value, $"{r.Sub("headers")}.{entry.Key.Value}", _problems, secret: true) is { } value)
                {
                    headers[entry.Key.Value] = new Secret(value);
                }
            }
        }

        if (!Require(r, "url", "where to POST alerts") || r.Url("url") is not { } url)
        {
            return null;
        }

        return new WebhookReceiver(name, url)
        {
            SigningSecret = secret is null ? null : new Secret(secret),
            Format = format,
            Headers = headers,
            Timeout = timeout,
        };
    }

    private TelegramReceiver? ReadTelegram(string name, MappingReader r)
    {
        var token = Require(r, "token", "the bot token") ? r.String("token", secret: true) : null;
        var chat = Require(r, "chat_id", "the chat to post to") ? r.String("chat_id") : null;
        var api = r.Url("api_url");
        var thread = r.Int("message_thread_id", min: 1);
        return token is null || chat is null
            ? null
            : new TelegramReceiver(name, new Secret(token), chat) { ApiUrl = api ?? TelegramReceiver.DefaultApiUrl, MessageThreadId = thread };
    }

    private EmailReceiver? ReadEmail(string name, MappingReader r)
    {
        var smtp = Require(r, "smtp", "the SMTP server as host:port") ? r.String("smtp") : null;
        var from = Require(r, "from", "the sender address") ? r.String("from") : null;
        var to = Require(r, "to", "the recipient addresses") ? r.Strings("to") : null;
        var tls = r.Choice("tls", TlsModes) ?? EmailTls.StartTls;
        var username = r.String("username");
        var password = r.String("password", secret: true);
        var api = r.Url("api_url");
        var tlsVerify = r.Bool("tls_verify") ?? true;
        var timeout = r.PositiveDuration("timeout");
        var caFile = r.String("ca_file") is { } ca ? ResolvePath(ca) : null;
        if (caFile is not null && !File.Exists(caFile))
        {
            _problems.Add(r.At("ca_file"), $"{r.Sub("ca_file")}: no file at {caFile}");
        }

        if (username is not null && password is null)
        {
            _problems.Add(r.At("username"), $"{r.Sub("password")}: a username needs a password (use ${{NAME}} to take it from the environment)");
        }
        if (to is { Count: 0 })
        {
            _problems.Add(r.At("to"), $"{r.Sub("to")}: give at least one recipient");
        }

        foreach (var (node, address) in to ?? [])
        {
            CheckAddress(r.Sub("to"), node, address);
        }

        if (from is not null)
        {
            CheckAddress(r.Sub("from"), (YScalar)r.At("from"), from);
        }

        if (smtp is null || from is null || to is null)
        {
            return null;
        }

        var defaultPort = tls == EmailTls.Tls ? 465 : tls == EmailTls.StartTls ? 587 : 25;
        var host = smtp;
        var port = defaultPort;
        var colon = smtp.LastIndexOf(':');
        if (colon > 0)
        {
            host = smtp[..colon];
            if (!int.TryParse(smtp[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                _problems.Add(r.At("smtp"), $"{r.Sub("smtp")}: {Values.Show((YScalar)r.At("smtp"), false)} is not host:port (port 1 to 65535)");
                return null;
            }
        }

        return new EmailReceiver(name, host, port, from, [.. to.Select(t => t.Value)])
        {
            Tls = tls,
            Username = username,
            Password = password is null ? null : new Secret(password),
            ApiUrl = api,
            TlsVerify = tlsVerify,
            CaFile = caFile,
            Timeout = timeout,
        };
    }

    private void CheckAddress(string path, YScalar node, string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == address.Length - 1)
        {
            _problems.Add(node, $"{path}: {Values.Show(node, false)} is not an email address");
        }
    }

    private List<RouteConfig> ReadRoutes(MappingReader root)
    {
        var routes = new List<RouteConfig>();
        foreach (var (path, r) in ListOfMappings(root, "routes", RouteKeys))
        {
            var match = ReadMatch(r);
            r.Required("receivers", "where matching alerts go");
            var receivers = References(r.Strings("receivers"), r.Sub("receivers"), _receiverNames, "receiver", "receivers");
            if (r.Present("receivers") && r.Node("receivers") is YSequence { Items.Count: 0 })
            {
                _problems.Add(r.At("receivers"), $"{r.Sub("receivers")}: give at least one receiver");
            }

            routes.Add(new RouteConfig
            {
                Match = match,
                Receivers = receivers,
                Failover = References(r.Strings("failover"), r.Sub("failover"), _receiverNames, "receiver", "receivers"),
                GroupWait = r.Duration("group_wait"),
                GroupInterval = r.Duration("group_interval"),
                RepeatInterval = r.PositiveDuration("repeat_interval"),
                Continue = r.Bool("continue") ?? false,
            });
        }

        return routes;
    }

    private AlertMatch ReadMatch(MappingReader parent)
    {
        if (parent.Read("match", MatchKeys) is not { } r)
        {
            return AlertMatch.All;
        }

        var check = r.String("check");
        if (check is not null && !Domain.Notifications.CheckPattern.IsValid(check))
        {
            _problems.Add(r.At("check"), $"{r.Sub("check")}: {CheckName.Problem(check)} (a name, or a glob such as harvest-* with * and ?)");
        }

        var alerts = new List<string>();
        foreach (var key in new[] { "alert", "alerts" })
        {
            var given = r.Node(key) is YScalar { IsNull: false } one ? [(one, one.Value)] : r.Strings(key) ?? [];
            foreach (var (node, alert) in given)
            {
                if (AlertKinds.Contains(alert))
                {
                    alerts.Add(alert);
                }
                else
                {
                    _problems.Add(node, $"{r.Sub(key)}: '{alert}' is not an alert kind{Suggestions.DidYouMean(alert, AlertKinds)} (kinds: {string.Join(", ", AlertKinds)})");
                }
            }
        }

        return new AlertMatch
        {
            Check = check,
            Tags = [.. (r.Strings("tags") ?? []).Select(t => t.Value)],
            Severity = r.Choice("severity", Severities),
            Alerts = alerts,
        };
    }

    private Dictionary<string, Rate> ReadLimits(MappingReader root)
    {
        var limits = new Dictionary<string, Rate>(StringComparer.Ordinal);
        foreach (var (key, path, mapping) in NamedMappings(root, "limits"))
        {
            var r = new MappingReader(_problems, mapping, path, LimitKeys);
            var known = Reference(key, key.Value, "limits", _receiverNames, "receiver", "receivers");
            r.Required("rate", "how many notifications per period, such as 20/min");
            if (r.Rate("rate") is { } rate && known)
            {
                limits[key.Value] = rate;
            }
        }

        return limits;
    }

    private List<SilenceConfig> ReadSilences(MappingReader root)
    {
        var silences = new List<SilenceConfig>();
        foreach (var (path, r) in ListOfMappings(root, "silences", SilenceKeys))
        {
            var match = ReadMatch(r);
            r.Required("cron", "when each window starts, such as \"0 22 * * 5\"");
            r.Required("duration", "how long each window lasts");
            var cron = r.String("cron");
            var tz = r.String("tz") ?? "UTC";
            var duration = r.PositiveDuration("duration");
            if (cron is not null && !Schedule.TryCron(cron, tz, out _, out var error))
            {
                var field = error!.Contains("time zone", StringComparison.Ordinal) && r.Present("tz") ? "tz" : "cron";
                _problems.Add(r.At(field), $"{r.Sub(field)}: {error}");
            }
            else if (cron is null && r.Present("tz") && !Schedule.TryZone(tz, out _, out var tzError))
            {
                _problems.Add(r.At("tz"), $"{r.Sub("tz")}: {tzError}");
            }

            if (cron is not null && duration is { } d)
            {
                silences.Add(new SilenceConfig { Match = match, Cron = cron, Tz = tz, Duration = d, Reason = r.String("reason") });
            }
        }

        return silences;
    }

    /// <summary>The items of a list-valued section, each read as a mapping with <paramref name="keys"/>.</summary>
    private IEnumerable<(string Path, MappingReader Reader)> ListOfMappings(MappingReader root, string section, IReadOnlyList<string> keys)
    {
        if (root.Sequence(section) is not { } sequence)
        {
            yield break;
        }

        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var path = $"{root.Sub(section)}[{i}]";
            if (Values.Mapping(sequence.Items[i], path, _problems) is { } mapping)
            {
                yield return (path, new MappingReader(_problems, mapping, path, keys));
            }
            else if (sequence.Items[i] is YScalar { IsNull: true } empty)
            {
                _problems.Add(empty, $"{path}: expected a mapping (key: value lines), found nothing");
            }
        }
    }
}
