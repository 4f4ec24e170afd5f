using Vigil.Configuration;
using Vigil.Configuration.Receivers;
using Vigil.Domain.Checks;

namespace Vigil.Server;

/// <summary>
/// Turns a validated vigil.yaml into what the server runs with, and lists what the file asks for that this
/// version does not do yet. Vigil refuses such a file rather than silently ignoring part of it: an operator
/// who declares a Telegram receiver must not believe alerts reach Telegram.
/// </summary>
public static class SettingsFromConfig
{
    public static (ServerSettings Settings, IReadOnlyList<string> Unsupported) Create(VigilConfig config, DateTimeOffset now)
    {
        var unsupported = new List<string>();
        var receivers = new List<ReceiverSettings>();
        foreach (var (name, receiver) in config.Receivers)
        {
            switch (receiver)
            {
                case WebhookReceiver webhook:
                    if (webhook.Format != WebhookFormat.Vigil) unsupported.Add($"receivers.{name}.webhook.format: only the vigil format is available in this version");
                    if (webhook.Headers.Count > 0) unsupported.Add($"receivers.{name}.webhook.headers: not available in this version yet");
                    receivers.Add(new ReceiverSettings(name, "webhook", Url: webhook.Url.ToString(), Secret: webhook.SigningSecret?.Reveal()));
                    break;
                case FileReceiver file:
                    receivers.Add(new ReceiverSettings(name, "file", Path: file.Path));
                    break;
                default:
                    unsupported.Add($"receivers.{name}: {receiver.Kind} receivers are not available in this version yet (webhook and file are)");
                    break;
            }
        }

        for (var i = 0; i < config.RouteSettings.Count; i++)
        {
            var route = config.RouteSettings[i];
            if (route.Failover.Count > 0) unsupported.Add($"routes[{i}].failover: not available in this version yet");
            if (route.GroupWait is not null || route.GroupInterval is not null) unsupported.Add($"routes[{i}]: grouping (group_wait, group_interval) is not available in this version yet");
            if (route.RepeatInterval is not null) unsupported.Add($"routes[{i}].repeat_interval: not available in this version yet");
        }

        if (config.Limits.Count > 0) unsupported.Add("limits: receiver rate limits are not available in this version yet");
        if (config.Silences.Count > 0) unsupported.Add("silences: not available in this version yet");
        if (config.Remediations.Count > 0) unsupported.Add("remediations: not available in this version yet");
        if (config.Breakers.Count > 0) unsupported.Add("breakers: not available in this version yet");
        if (config.Gates.Count > 0) unsupported.Add("gates: not available in this version yet");
        if (config.Metrics.Public) unsupported.Add("metrics.public: /metrics is not available in this version yet");
        foreach (var check in config.Checks)
        {
            if (check.DependsOn.Count > 0) unsupported.Add($"checks.{check.Name}.depends_on: not available in this version yet");
            if (check.Remediation is not null) unsupported.Add($"checks.{check.Name}.remediation: not available in this version yet");
            if (check.Kind == CheckKind.Probe) unsupported.Add($"checks.{check.Name}.kind: probes are not available in this version yet; use kind: heartbeat (pings and leases) for now");
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
            Ping = new PingSettings
            {
                BodyLimit = config.Ping.BodyLimit,
                RateLimitPerSecond = config.Ping.RateLimit.PerSecond,
                Always200 = config.Ping.Always200,
                AutoCreate = config.Ping.AutoCreate.Settings,
            },
            Checks = config.Checks,
            ChecksFromConfig = config.SourcePath is not null,
            Defaults = config.Defaults.Settings,
            Receivers = receivers,
            Routes = config.Routes,
            ApiKeys = [.. config.ApiKeys.Select(k => k.ToApiKey(now))],
            ConfigPath = config.SourcePath,
        };
        return (settings, unsupported);
    }
}
