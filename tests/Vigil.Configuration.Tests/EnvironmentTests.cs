using Vigil.Configuration.Receivers;

namespace Vigil.Configuration.Tests;

public sealed class EnvironmentTests
{
    [Fact]
    public void Variables_are_substituted_in_values_with_defaults_when_unset_or_empty()
    {
        var config = TestConfig.Valid("""
            server:
              urls: "http://${HOST}:${PORT:-8470}"
              data: ${DATA:-/var/lib/vigil}
            checks:
              backup:
                every: ${BACKUP_EVERY:-1h}
                description: "costs $$5, literal $${NOT_A_VAR}"
            """, TestConfig.Env(("HOST", "0.0.0.0"), ("DATA", "")));

        Assert.Equal("http://0.0.0.0:8470", config.Server.Urls);
        Assert.Equal("/var/lib/vigil", config.Server.DataDirectory);
        Assert.Equal(TimeSpan.FromHours(1), config.Checks[0].Every);
        Assert.Equal("costs $$5, literal ${NOT_A_VAR}", config.Checks[0].Description);
    }

    [Fact]
    public void An_unset_variable_is_an_error_at_its_exact_position()
    {
        var problems = TestConfig.Problems("""
            receivers:
              chat: { telegram: { token: "${TELEGRAM_TOKEN}", chat_id: "1" } }
              hook:
                webhook:
                  url: https://example.com/${HOOK_PATH}
            """);

        Assert.Equal(2, problems.Count);
        TestConfig.At(problems[0], 2, 31);
        Assert.Equal("the environment variable TELEGRAM_TOKEN is not set (write ${TELEGRAM_TOKEN:-default} to give a default)", problems[0].Message);
        TestConfig.At(problems[1], 5, 32);
        Assert.Contains("HOOK_PATH is not set", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_not_substituted()
    {
        var p = Assert.Single(TestConfig.Problems("checks:\n  ${NAME}:\n    every: 1h\n", TestConfig.Env(("NAME", "backup"))));

        Assert.Contains("'${NAME}' is not a check name", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_references_are_reported()
    {
        var problems = TestConfig.Problems("checks:\n  a:\n    description: \"${1BAD} and ${OPEN\"\n");

        Assert.Equal(2, problems.Count);
        Assert.Contains("'${1BAD}' is not a variable reference", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("'${' is not closed", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_from_the_environment_never_appear_in_problems()
    {
        const string secret = "https://hooks.example/T0K3N-very-secret";
        var env = TestConfig.Env(("BAD_EVERY", "fortnightly-secret"), ("URL", "not a url T0K3N"), ("WEBHOOK", secret), ("PW", "hunter2-secret"));

        var problems = TestConfig.Problems("""
            receivers:
              hook: { webhook: { url: "${URL}", timeout: "${BAD_EVERY}" } }
              team: { slack: { webhook_url: "${WEBHOOK}", api_url: "${URL}" } }
              mail: { email: { smtp: "${PW}", from: "${PW}", to: ["${PW}"] } }
            checks:
              a: { every: "${BAD_EVERY}", severity: "${PW}", tags: "${PW}", fail_after: "${PW}" }
            """, env);

        Assert.True(problems.Count >= 8, string.Join('\n', problems));
        foreach (var problem in problems)
        {
            foreach (var value in env.Values)
            {
                Assert.DoesNotContain(value!, problem.ToString(), StringComparison.Ordinal);
            }

            Assert.DoesNotContain("T0K3N", problem.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("secret", problem.Message, StringComparison.Ordinal);
        }

        Assert.Contains(problems, p => p.Message.StartsWith("receivers.hook.webhook.url: the value is not an absolute", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("checks.a.every: the value is not a duration", StringComparison.Ordinal));
    }

    [Fact]
    public void Secret_fields_are_hidden_even_when_written_in_the_file()
    {
        var problems = TestConfig.Problems("""
            storage:
              postgres: "Host=db;Password=pg-plain-secret"
              sqlite: ./x.db
            receivers:
              team: { discord: { webhook_url: "discord-plain-secret" } }
            api_keys:
              - { name: a, scope: read, key: short-secret }
              - { name: b, scope: read, key_sha256: "not-a-hash-secret" }
            """);

        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Assert.DoesNotContain("secret", p.Message, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("receivers.team.discord.webhook_url: the value is not an absolute", StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_do_not_show_in_the_configuration_records()
    {
        var config = TestConfig.Valid("""
            storage:
              postgres: "Host=db;Password=${PG_PASSWORD}"
            receivers:
              chat: { telegram: { token: "${TOKEN}", chat_id: "-100" } }
              hook: { webhook: { url: "https://h.example/x", secret: "${HOOK}", headers: { Authorization: "Bearer ${HOOK}" } } }
            """, TestConfig.Env(("PG_PASSWORD", "pg-pass-1"), ("TOKEN", "tg-token-1"), ("HOOK", "hook-secret-1")));

        var shown = string.Join('\n', config.Storage, config.Receivers["chat"], config.Receivers["hook"], ((WebhookReceiver)config.Receivers["hook"]).Headers["Authorization"]);

        Assert.DoesNotContain("pg-pass-1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("tg-token-1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret-1", shown, StringComparison.Ordinal);
        Assert.Equal("Host=db;Password=pg-pass-1", config.Storage.PostgresConnectionString!.Reveal());
        Assert.Equal(StorageProvider.Postgres, config.Storage.Provider);
        Assert.Equal("Bearer hook-secret-1", ((WebhookReceiver)config.Receivers["hook"]).Headers["Authorization"].Reveal());
    }

    [Fact]
    public void Vigil_mode_from_the_environment_overrides_the_file()
    {
        const string yaml = """
            mode: paper
            modes:
              paper: {}
              live:
                checks:
                  bot: { severity: critical, grace: 10s }
            checks:
              bot: { every: 1m, severity: warning }
            """;

        var paper = TestConfig.Valid(yaml);
        var live = TestConfig.Valid(yaml, TestConfig.Env(("VIGIL_MODE", "live")));
        var problems = TestConfig.Problems(yaml, TestConfig.Env(("VIGIL_MODE", "liev")));

        Assert.Equal(Domain.Checks.Severity.Warning, paper.Checks[0].Severity);
        Assert.Equal("live", live.Mode);
        Assert.Equal(Domain.Checks.Severity.Critical, live.Checks[0].Severity);
        Assert.Equal(TimeSpan.FromSeconds(10), live.Checks[0].Grace);
        Assert.Equal(Domain.Checks.Severity.Warning, live.ChecksIn("paper")[0].Severity);
        Assert.Contains("VIGIL_MODE names mode 'liev'", Assert.Single(problems).Message, StringComparison.Ordinal);
    }
}
