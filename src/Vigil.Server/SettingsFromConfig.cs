using Vigil.Configuration;
using Vigil.Configuration.Receivers;
using R = Vigil.Receivers;

namespace Vigil.Server;

/// <summary>
/// Turns a validated vigil.yaml into what the server runs with, and lists what the file asks for that this
/// version does not do yet. Vigil refuses such a file rather than silently ignoring part of it: an operator
/// who declares a failover receiver must not believe alerts reach it when the primary fails.
/// </summary>
public static class SettingsFromConfig
{
    public static (ServerSettings Settings, IReadOnlyList<string> Unsupported) Create(VigilConfig config, DateTimeOffset now)
    {
        var unsupported = new List<string>();
        var receivers = new List<ReceiverSettings>();
        foreach (var (name, receiver) in config.Receivers)
        {
            if (receiver is EmailReceiver { ApiUrl: not null })
            {
                unsupported.Add($"receivers.{name}.email.api_url: sending through an HTTP mail API is not available in this version yet; use smtp: host:port");
            }

            receivers.Add(Receiver(name, receiver));
        }

        if (config.Remediations.Count > 0) unsupported.Add("remediations: not available in this version yet");
        if (config.Metrics.Public) unsupported.Add("metrics.public: /metrics is not available in this version yet");
        foreach (var check in config.Checks)
        {
            if (check.Remediation is not null) unsupported.Add($"checks.{check.Name}.remediation: not available in this version yet");
        }

        var settings = new ServerSettings
        {
            Urls = config.Server.Urls,
            DataDirectory = config.Server.DataDirectory,
            SqlitePath = config.Storage.Provider == StorageProvider.Sqlite ? config.Storage.SqlitePath : null,
            PostgresConnectionString = config.Storage.PostgresConnectionString?.Reveal(),
            PublicUrl = config.Server.PublicUrl?.ToString(),
            StartupGrace = config.Server.StartupGrace,
            ShutdownTimeout = config.Server.ShutdownTimeout,
            AuditRetention = config.Audit.Retention,
            Ping = new PingSettings
            {
                BodyLimit = config.Ping.BodyLimit,
                RateLimitPerSecond = config.Ping.RateLimit.PerSecond,
                Always200 = config.Ping.Always200,
                AutoCreateLimit = config.Ping.AutoCreateLimit,
                AutoCreate = config.Ping.AutoCreate.Settings,
            },
            Checks = config.Checks,
            ChecksFromConfig = config.SourcePath is not null,
            Defaults = config.Defaults.Settings,
            Receivers = receivers,
            Routes = config.Routes,
            Limits = config.Limits.ToDictionary(l => l.Key, l => new ReceiverLimit(l.Value.Count, l.Value.Per), StringComparer.Ordinal),
            MaintenanceWindows = [.. config.Silences.Select(w => new Domain.Notifications.MaintenanceWindow
            {
                Match = new Domain.Notifications.AlertMatcher { Check = w.Match.Check, Tags = w.Match.Tags, Severity = w.Match.Severity },
                Cron = w.Cron,
                Tz = w.Tz,
                Duration = w.Duration,
                Reason = w.Reason,
            })],
            ApiKeys = [.. config.ApiKeys.Select(k => k.ToApiKey(now))],
            Breakers = [.. config.Breakers.Values.Select(Breaker)],
            Gates = [.. config.Gates.Values.Select(Gate)],
            ConfigPath = config.SourcePath,
            Mode = config.Mode,
            ModeFromEnvironment = config.ModeFromEnvironment,
            ChecksByMode = config.Modes.Keys.ToDictionary(m => m, config.ChecksIn, StringComparer.Ordinal),
        };
        return (settings, unsupported);
    }

    private static Vigil.Domain.Breakers.BreakerDefinition Breaker(BreakerConfig b) => new()
    {
        Name = b.Name,
        FailureThreshold = b.FailureRate is null ? b.FailureThreshold : null,
        FailureRate = b.FailureRate,
        MinCalls = b.MinCalls,
        Window = b.Window,
        OpenFor = b.OpenFor,
        Backoff = b.Backoff,
        MaxOpenFor = b.MaxOpenFor,
        HalfOpenProbes = b.HalfOpenProbes,
        ProbeTtl = b.ProbeTtl,
        Severity = b.Severity,
    };

    private static Vigil.Domain.Gates.GateDefinition Gate(GateConfig g) => new()
    {
        Name = g.Name,
        CheckNames = g.CheckNames,
        CheckTags = g.CheckTags,
        MaxLevel = g.MaxLevel,
        Breakers = g.Breakers,
        StartClosed = g.StartClosed,
    };

    /// <summary>What the receiver layer needs to build <paramref name="receiver"/>; secrets revealed here and only here.</summary>
    private static ReceiverSettings Receiver(string name, ReceiverConfig receiver) => receiver switch
    {
        WebhookReceiver webhook => new ReceiverSettings(name, "webhook", Url: webhook.Url.ToString(), Secret: webhook.SigningSecret?.Reveal())
        {
            Options = new R.WebhookOptions(webhook.Url.ToString(), webhook.SigningSecret?.Reveal())
            {
                Format = webhook.Format == WebhookFormat.Alertmanager ? R.WebhookFormat.Alertmanager : R.WebhookFormat.Vigil,
                Headers = webhook.Headers.ToDictionary(h => h.Key, h => h.Value.Reveal(), StringComparer.OrdinalIgnoreCase),
                Timeout = webhook.Timeout,
            },
        },
        FileReceiver file => new ReceiverSettings(name, "file", Path: file.Path) { Options = new R.FileReceiverOptions(file.Path) },
        TelegramReceiver telegram => new ReceiverSettings(name, "telegram")
        {
            Options = new R.TelegramOptions(telegram.Token.Reveal(), telegram.ChatId) { ApiUrl = telegram.ApiUrl, MessageThreadId = telegram.MessageThreadId },
        },
        DiscordReceiver discord => new ReceiverSettings(name, "discord") { Options = new R.DiscordOptions(AtApiUrl(discord.WebhookUrl.Reveal(), discord.ApiUrl)) },
        SlackReceiver slack => new ReceiverSettings(name, "slack") { Options = new R.SlackOptions(AtApiUrl(slack.WebhookUrl.Reveal(), slack.ApiUrl)) },
        EmailReceiver email => new ReceiverSettings(name, "email")
        {
            Options = new R.EmailOptions(email.SmtpHost, email.SmtpPort, email.From, email.To)
            {
                Tls = email.Tls switch { EmailTls.Tls => R.EmailTls.Tls, EmailTls.None => R.EmailTls.None, _ => R.EmailTls.StartTls },
                Username = email.Username,
                Password = email.Password?.Reveal(),
                TlsVerify = email.TlsVerify,
                CaFile = email.CaFile,
                Timeout = email.Timeout ?? R.EmailOptions.DefaultTimeout,
            },
        },
        _ => throw new ArgumentException($"unknown receiver kind {receiver.Kind}", nameof(receiver)),
    };

    /// <summary><c>api_url</c> replaces the scheme, host and port of a chat webhook URL (a self-hosted or test endpoint).</summary>
    private static string AtApiUrl(string webhookUrl, Uri? apiUrl)
    {
        if (apiUrl is null)
        {
            return webhookUrl;
        }

        var builder = new UriBuilder(webhookUrl) { Scheme = apiUrl.Scheme, Host = apiUrl.Host, Port = apiUrl.Port };
        return builder.Uri.ToString();
    }
}
