using Vigil.Configuration.Receivers;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Configuration.Tests;

/// <summary>The example from spec/config.md, probe checks removed, and the full example with probes.</summary>
public sealed class SpecExampleTests
{
    internal const string HeartbeatPart = """
        mode: paper
        modes:
          paper: {}
          live:
            checks:
              signal-router: { severity: warning, grace: 1m }

        server:
          urls: http://127.0.0.1:8470
          data: ./data
          public_url: http://vigil.example.internal:8470
          startup_grace: 2m
          shutdown_timeout: 30s

        storage:
          sqlite: ./data/vigil.db

        ping:
          body_limit: 100000
          rate_limit: 10/s
          always_200: false
          auto_create: { every: 1d, grace: 1h }

        metrics: { public: false }

        defaults:
          grace: 1m
          severity: critical
          fail_after: 1
          recover_after: 1
          flapping: { changes: 6, window: 1h }

        checks:
          signal-router:
            every: 10m
            grace: 2m
            max_runtime: 12m
            tags: [trading, router]
            remediation: restart-router
            runbook: https://wiki.example/runbooks/router
          harvest-publisher-btcusdt:
            uuid: 5f3b1c2e-8d4a-4b6e-9c1f-2a7d3e9b0c11
            every: 10s
            grace: 20s
            max_data_age: 60s
            tags: [harvest]
          coingecko-scan:
            cron: "*/3 * * * *"
            tz: Asia/Qatar
            grace: 1m
            depends_on: [signal-router]

        receivers:
          telegram-ops: { telegram: { token: "${TELEGRAM_TOKEN}", chat_id: "-1001234567890" } }
          discord-ops:  { discord: { webhook_url: "${DISCORD_WEBHOOK_URL}" } }
          slack-ops:    { slack: { webhook_url: "${SLACK_WEBHOOK_URL}" } }
          email-ops:    { email: { smtp: "smtp.example.com:587", tls: starttls, username: alerts, password: "${SMTP_PASSWORD}", from: "vigil@example.com", to: ["ops@example.com"] } }
          hook:         { webhook: { url: "https://hooks.example/vigil", secret: "${HOOK_SECRET}" } }
          last-resort:  { file: { path: ./data/undelivered-alerts.jsonl } }

        routes:
          - match: { severity: critical }
            receivers: [telegram-ops]
            failover: [email-ops, last-resort]
            group_wait: 10s
            group_interval: 1m
            repeat_interval: 4h
          - match: { tags: [harvest] }
            receivers: [discord-ops]
          - receivers: [slack-ops]

        limits:
          telegram-ops: { rate: 20/min }

        silences:
          - match: { tags: [trading] }
            cron: "0 22 * * 5"
            tz: Asia/Qatar
            duration: 2h
            reason: weekly exchange maintenance

        remediations:
          restart-router:
            steps:
              - run: ["systemctl", "restart", "signal-router.service"]
                attempts: 2
                spacing: 1m
                timeout: 30s
              - notify: [telegram-ops]
              - wait: 15m
              - notify: [email-ops]

        breakers:
          binance-api:
            failure_threshold: 5
            open_for: 30s
            backoff: 2.0
            max_open_for: 30m
            half_open_probes: 1
            probe_ttl: 30s
            severity: warning

        gates:
          trading:
            checks: { tags: [trading] }
            max_level: ok
            breakers: [binance-api]
            start_closed: true

        api_keys:
          - { name: jobs, scope: ping, key_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }
          - { name: grafana, scope: read, key: "${GRAFANA_VIGIL_KEY}" }

        """;

    internal static readonly Dictionary<string, string?> Secrets = TestConfig.Env(
        ("TELEGRAM_TOKEN", "123456:telegram-secret-token"),
        ("DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/discord-secret"),
        ("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/slack-secret"),
        ("SMTP_PASSWORD", "smtp-secret-password"),
        ("HOOK_SECRET", "hook-signing-secret"),
        ("GRAFANA_VIGIL_KEY", "grafana-key-0123456789"));

    [Fact]
    public void The_spec_example_without_probes_loads_with_every_section_modelled()
    {
        var config = TestConfig.Valid(HeartbeatPart, Secrets);

        Assert.Equal("paper", config.Mode);
        Assert.Equal(["paper", "live"], config.Modes.Keys);
        Assert.Equal("/etc/vigil/data", config.Server.DataDirectory);
        Assert.Equal("/etc/vigil/data/vigil.db", config.Storage.SqlitePath);
        Assert.Equal(new Uri("http://vigil.example.internal:8470"), config.Server.PublicUrl);
        Assert.Equal(new Rate(10, TimeSpan.FromSeconds(1)), config.Ping.RateLimit);
        Assert.Equal(TimeSpan.FromDays(1), config.Ping.AutoCreate.Settings.Every);

        var router = config.Checks[0];
        Assert.Equal("signal-router", router.Name);
        Assert.Equal(TimeSpan.FromMinutes(2), router.Grace);
        Assert.Equal("restart-router", router.Remediation);
        Assert.Equal(Severity.Critical, router.Severity);
        var live = config.ChecksIn("live")[0];
        Assert.Equal(Severity.Warning, live.Severity);
        Assert.Equal(TimeSpan.FromMinutes(1), live.Grace);
        Assert.Equal(TimeSpan.FromMinutes(12), live.MaxRuntime);

        Assert.Equal(Guid.Parse("5f3b1c2e-8d4a-4b6e-9c1f-2a7d3e9b0c11"), config.Checks[1].Uuid);
        Assert.Equal(Guid.Empty, config.Checks[0].Uuid);
        Assert.Equal(["signal-router"], config.Checks[2].DependsOn);

        var telegram = Assert.IsType<TelegramReceiver>(config.Receivers["telegram-ops"]);
        Assert.Equal("123456:telegram-secret-token", telegram.Token.Reveal());
        var email = Assert.IsType<EmailReceiver>(config.Receivers["email-ops"]);
        Assert.Equal(("smtp.example.com", 587), (email.SmtpHost, email.SmtpPort));
        Assert.Equal(["ops@example.com"], email.To);

        Assert.Equal(3, config.Routes.Count);
        Assert.Equal(Severity.Critical, config.Routes[0].MatchSeverity);
        Assert.Equal(["email-ops", "last-resort"], config.RouteSettings[0].Failover);
        Assert.Equal(TimeSpan.FromHours(4), config.RouteSettings[0].RepeatInterval);
        Assert.Empty(config.Routes[2].MatchTags);
        Assert.Equal(new Rate(20, TimeSpan.FromMinutes(1)), config.Limits["telegram-ops"]);

        var silence = Assert.Single(config.Silences);
        Assert.Equal((TimeSpan.FromHours(2), "Asia/Qatar"), (silence.Duration, silence.Tz));

        var steps = config.Remediations["restart-router"].Steps;
        Assert.Equal(4, steps.Count);
        var run = Assert.IsType<RunStep>(steps[0]);
        Assert.Equal(["systemctl", "restart", "signal-router.service"], run.Command);
        Assert.Equal(2, run.Attempts);
        Assert.Equal(TimeSpan.FromMinutes(15), Assert.IsType<WaitStep>(steps[2]).Duration);

        Assert.Equal(5, config.Breakers["binance-api"].FailureThreshold);
        Assert.True(config.Gates["trading"].StartClosed);
        Assert.Equal(["trading"], config.Gates["trading"].CheckTags);

        Assert.Equal(2, config.ApiKeys.Count);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", config.ApiKeys[0].Sha256);
    }

    [Fact]
    public void The_spec_example_with_its_probe_checks_loads_with_typed_probe_definitions()
    {
        var yaml = HeartbeatPart.Replace("depends_on: [signal-router]", "depends_on: [internet]", StringComparison.Ordinal);
        yaml = yaml.Replace("""
            receivers:
              telegram-ops
            """, """
              internet:
                kind: probe
                every: 30s
                probe: { http: { url: "https://api.coingecko.com/api/v3/ping", expect_status: 200, timeout: 5s } }
              market-cache-fresh:
                kind: probe
                every: 1m
                probe:
                  sql:
                    sqlite: /srv/scanner/data/market_cache.db
                    query: "SELECT max(updated_at) FROM cache_metadata WHERE key = 'watchlist'"
                    value: timestamp           # timestamp | number | rows
                warn_if: "age > 10m"
                critical_if: "age > 15m"
              harvest-redis:
                kind: probe
                every: 10s
                probe: { redis: { connection: "localhost:6379", hget: ["quantum:harvest:proposal:BTCUSDT", "last_update_epoch"], value: timestamp } }
                critical_if: "age > 30s"
              schwab-refresh-token:
                kind: probe
                every: 1h
                probe: { file: { path: /srv/scanner/schwab_client.json, json: "$.token.refresh_token_created_at", value: timestamp } }
                warn_if: "age > 5d"            # 7-day token: warn two days ahead
                critical_if: "age > 7d"
              clock-skew:
                kind: probe
                every: 5m
                probe: { ntp: { servers: [time.cloudflare.com, pool.ntp.org], timeout: 3s } }
                warn_if: "skew > 2s"
                severity: warning
              worker-memory:
                kind: probe
                every: 1m
                probe: { memory: { systemd_unit: market-data-worker.service } }   # or pid_file:, cgroup:
                warn_if: "used_pct > 95"

            receivers:
              telegram-ops
            """, StringComparison.Ordinal);

        var config = TestConfig.Valid(yaml, Secrets);

        var probes = config.Checks.Where(c => c.Kind == CheckKind.Probe).ToDictionary(c => c.Name);
        Assert.Equal(6, probes.Count);
        var http = Assert.IsType<HttpProbeDefinition>(probes["internet"].Probe);
        Assert.Equal((new Uri("https://api.coingecko.com/api/v3/ping"), TimeSpan.FromSeconds(5)), (http.Url, http.Timeout));
        Assert.Equal([new StatusRange(200, 200)], http.ExpectStatus!);
        var sql = Assert.IsType<SqlProbeDefinition>(probes["market-cache-fresh"].Probe);
        Assert.Equal(("/srv/scanner/data/market_cache.db", ValueKind.Timestamp, ProbeDefinition.DefaultTimeout), (sql.Sqlite, sql.Value, sql.Timeout));
        Assert.Equal(new Condition(Quantity.Age, ComparisonOperator.Greater, 600, "10m"), probes["market-cache-fresh"].WarnIf);
        Assert.Equal(900, probes["market-cache-fresh"].CriticalIf!.Threshold);
        var redis = Assert.IsType<RedisProbeDefinition>(probes["harvest-redis"].Probe);
        Assert.Equal((RedisCommand.HGet, "quantum:harvest:proposal:BTCUSDT", "last_update_epoch"), (redis.Command, redis.Key, redis.Field));
        var file = Assert.IsType<FileProbeDefinition>(probes["schwab-refresh-token"].Probe);
        Assert.Equal("$.token.refresh_token_created_at", file.Json);
        Assert.Equal(5 * 86_400, probes["schwab-refresh-token"].WarnIf!.Threshold);
        var ntp = Assert.IsType<NtpProbeDefinition>(probes["clock-skew"].Probe);
        Assert.Equal([new HostPort("time.cloudflare.com", 123), new HostPort("pool.ntp.org", 123)], ntp.Servers);
        var memory = Assert.IsType<MemoryProbeDefinition>(probes["worker-memory"].Probe);
        Assert.Equal((MemoryTarget.SystemdUnit, "market-data-worker.service"), (memory.Target, memory.Of));
        Assert.All(probes.Values, p => Assert.Equal(Level.Critical, p.Unmeasurable));
    }
}
