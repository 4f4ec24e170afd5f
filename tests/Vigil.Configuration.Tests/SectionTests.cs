using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Security;

namespace Vigil.Configuration.Tests;

public sealed class SectionTests
{
    [Fact]
    public void A_probe_check_is_fully_validated()
    {
        var problems = TestConfig.Problems("""
            checks:
              internet:
                kind: probe
                every: 30s
                probe: { http: { url: "https://example.com" }, ntp: {} }
                warn_if: "latency >> 2s"
                unmeasurable: sometimes
            """);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Message.StartsWith("checks.internet.probe: give exactly one of http, tcp", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("checks.internet.probe.ntp: missing servers", StringComparison.Ordinal));
        TestConfig.At(TestConfig.Single(problems, "unknown operator '>>'"), 6, 23);
        Assert.Contains(problems, p => p.Message.StartsWith("checks.internet.unmeasurable: 'sometimes' is not one of critical, warning", StringComparison.Ordinal));
    }

    [Fact]
    public void Probe_keys_on_a_heartbeat_check_are_refused()
    {
        var p = Assert.Single(TestConfig.Problems("checks:\n  job:\n    every: 1m\n    warn_if: \"age > 1m\"\n"));

        TestConfig.At(p, 4, 5);
        Assert.Equal("checks.job.warn_if: only checks with kind: probe take warn_if", p.Message);
    }

    [Fact]
    public void Api_keys_are_hashed_at_load_and_need_exactly_one_of_key_and_key_sha256()
    {
        var config = TestConfig.Valid("""
            api_keys:
              - { name: jobs, scope: ping, key: "correct horse battery staple" }
              - { name: ro, scope: read, key_sha256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08" }
            """);
        var problems = TestConfig.Problems("""
            api_keys:
              - { name: both, scope: admin, key: "0123456789abcdef", key_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }
              - { name: none, scope: write }
              - { name: bad, scope: root, key: "0123456789abcdef-x" }
              - { name: none, scope: read, key: "another-key-0123456" }
            """);

        Assert.Equal(new ConfigApiKey("jobs", Scope.Ping, "c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a"), config.ApiKeys[0]);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", config.ApiKeys[1].Sha256);
        var stored = config.ApiKeys[1].ToApiKey(DateTimeOffset.UnixEpoch);
        Assert.True(stored.FromConfig);
        Assert.Equal(Scope.Read, stored.Scope);

        Assert.Equal(4, problems.Count);
        TestConfig.At(problems[0], 2, 58);
        Assert.Equal("api_keys[0]: give exactly one of key (the key itself) or key_sha256 (its SHA-256 in hex)", problems[0].Message);
        Assert.Equal("api_keys[1]: give exactly one of key (the key itself) or key_sha256 (its SHA-256 in hex)", problems[1].Message);
        Assert.StartsWith("api_keys[2].scope: 'root' is not one of ping, read, write, admin", problems[2].Message, StringComparison.Ordinal);
        Assert.Equal("api_keys[3].name: 'none' is already used by the key at line 3", problems[3].Message);
    }

    [Fact]
    public void Routes_become_domain_routes_in_order()
    {
        var config = TestConfig.Valid("""
            receivers:
              a: { file: { path: /tmp/a } }
              b: { file: { path: /tmp/b } }
            routes:
              - match: { check: backup, tags: [db, nightly], severity: warning, alerts: [down, data_stale] }
                receivers: [a]
                continue: true
              - receivers: [b]
            """);

        Route first = config.Routes[0];
        Assert.Equal("backup", first.MatchCheck);
        Assert.Equal(["db", "nightly"], first.MatchTags);
        Assert.Equal(Severity.Warning, first.MatchSeverity);
        Assert.Equal(["down", "data_stale"], first.Alerts);
        Assert.True(first.Continue);
        Assert.Equal(["b"], config.Routes[1].Receivers);
        Assert.Null(config.Routes[1].MatchCheck);
        Assert.Equal(["a", "b"], new Router(config.Routes).Routes.SelectMany(r => r.Receivers));
    }

    [Fact]
    public void Route_shape_problems_are_reported()
    {
        var problems = TestConfig.Problems("""
            receivers:
              a: { file: { path: /tmp/a } }
            routes:
              - match: { severity: info, alerts: [dwon], check: "Bad Name" }
                receivers: []
                group_wait: soon
              -
              - match: { tag: [x] }
                receivers: a
            """);

        Assert.Contains(problems, p => p.Message.StartsWith("routes[0].match.severity: 'info' is not one of critical, warning", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("routes[0].match.alerts: 'dwon' is not an alert kind; did you mean 'down'?", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("routes[0].match.check: 'Bad Name' is not a check name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "routes[0].receivers: give at least one receiver");
        Assert.Contains(problems, p => p.Message.StartsWith("routes[0].group_wait: 'soon' is not a duration", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "routes[1]: expected a mapping (key: value lines), found nothing" && p.Line == 7);
        Assert.Contains(problems, p => p.Message.StartsWith("routes[2].match: unknown key 'tag'; did you mean 'tags'?", StringComparison.Ordinal));
        Assert.Equal(7, problems.Count);
    }

    [Fact]
    public void Storage_takes_exactly_one_backend()
    {
        var both = Assert.Single(TestConfig.Problems("storage:\n  sqlite: ./a.db\n  postgres: Host=x\n"));
        var none = Assert.Single(TestConfig.Problems("storage: {}\n"));

        TestConfig.At(both, 3, 3);
        Assert.Equal("storage: give exactly one of sqlite: PATH or postgres: CONNECTION-STRING", both.Message);
        TestConfig.At(none, 1, 10);
    }

    [Fact]
    public void Server_urls_and_limits_are_validated()
    {
        var problems = TestConfig.Problems("""
            server:
              urls: "http://0.0.0.0:8470;ftp://nope"
              public_url: vigil.example
              shutdown_timeout: 0s
            ping:
              body_limit: 0
              rate_limit: fast
            """);

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.Message == "server.urls: 'ftp://nope' is not a listen address such as http://127.0.0.1:8470");
        Assert.Contains(problems, p => p.Message == "server.public_url: 'vigil.example' is not an absolute http:// or https:// URL");
        Assert.Contains(problems, p => p.Message == "server.shutdown_timeout: must be longer than 0s");
        Assert.Contains(problems, p => p.Message == "ping.body_limit: must be 1 or more");
        Assert.Contains(problems, p => p.Message.StartsWith("ping.rate_limit: 'fast' is not a rate", StringComparison.Ordinal));
    }

    [Fact]
    public void Audit_retention_defaults_to_400_days_and_a_bad_one_is_reported_at_its_value()
    {
        Assert.Equal(TimeSpan.FromDays(400), TestConfig.Valid("checks:\n  job: { every: 1h }\n").Audit.Retention);
        Assert.Equal(TimeSpan.FromDays(30), TestConfig.Valid("audit: { retention: 30d }\n").Audit.Retention);

        var bad = Assert.Single(TestConfig.Problems("audit:\n  retention: a year\n"));
        var zero = Assert.Single(TestConfig.Problems("audit:\n  retention: 0s\n"));
        var unknown = Assert.Single(TestConfig.Problems("audit:\n  keep: 30d\n"));

        TestConfig.At(bad, 2, 14);
        Assert.StartsWith("audit.retention: ", bad.Message, StringComparison.Ordinal);
        Assert.Equal("/etc/vigil/vigil.yaml:2:14: " + bad.Message, bad.ToString());
        TestConfig.At(zero, 2, 14);
        Assert.Equal("audit.retention: must be longer than 0s", zero.Message);
        Assert.Contains("audit: unknown key 'keep'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_urls_accept_a_list()
    {
        var config = TestConfig.Valid("server:\n  urls: [\"http://127.0.0.1:8470\", \"http://[::1]:8470\"]\n");

        Assert.Equal("http://127.0.0.1:8470;http://[::1]:8470", config.Server.Urls);
    }

    [Theory]
    [InlineData("10/s", 10, 1)]
    [InlineData("600/min", 600, 60)]
    [InlineData("20/m", 20, 60)]
    [InlineData("100/h", 100, 3600)]
    [InlineData("5/10s", 5, 10)]
    [InlineData("1000/d", 1000, 86400)]
    public void Rates_parse(string text, int count, int seconds)
    {
        Assert.True(Rate.TryParse(text, out var rate));
        Assert.Equal(new Rate(count, TimeSpan.FromSeconds(seconds)), rate);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("0/s")]
    [InlineData("-1/s")]
    [InlineData("10/fortnight")]
    [InlineData("10/0s")]
    [InlineData("/s")]
    public void Bad_rates_do_not_parse(string text) => Assert.False(Rate.TryParse(text, out _));

    [Fact]
    public void Breakers_gates_and_silences_are_modelled_and_checked()
    {
        var config = TestConfig.Valid("""
            checks:
              bot: { tags: [trading] }
            breakers:
              vendor: { failure_rate: 0.5, min_calls: 20, window: 2m }
            gates:
              trade: { checks: { names: [bot], tags: [trading] }, max_level: warning, breakers: [vendor] }
            silences:
              - { match: { check: bot }, cron: "0 2 * * 0", duration: 1h }
            """);
        var problems = TestConfig.Problems("""
            breakers:
              b: { failure_threshold: 3, failure_rate: 0.5, open_for: 1m, max_open_for: 30s, backoff: 0.5 }
              c: { min_calls: 5 }
            silences:
              - { cron: "0 22 * * 5", tz: Asia/Nowhere, duration: 0s }
              - { duration: 1h, reason: no cron }
            """);

        var breaker = config.Breakers["vendor"];
        Assert.Equal((null, 0.5, 20), (breaker.FailureThreshold, breaker.FailureRate, breaker.MinCalls));
        Assert.Equal(Level.Warning, config.Gates["trade"].MaxLevel);
        Assert.Equal(["bot"], config.Gates["trade"].CheckNames);
        Assert.Equal("UTC", config.Silences[0].Tz);
        Assert.Equal("bot", config.Silences[0].Match.Check);

        Assert.Contains(problems, p => p.Message == "breakers.b: give either failure_threshold or failure_rate, not both");
        Assert.Contains(problems, p => p.Message == "breakers.b.max_open_for: must not be shorter than open_for");
        Assert.Contains(problems, p => p.Message == "breakers.b.backoff: must be between 1 and 100");
        Assert.Contains(problems, p => p.Message == "breakers.c.min_calls: only used with failure_rate");
        Assert.Contains(problems, p => p.Message.StartsWith("silences[0].tz: 'Asia/Nowhere' is not a known IANA time zone", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "silences[0].duration: must be longer than 0s");
        Assert.Contains(problems, p => p.Message.StartsWith("silences[1]: missing cron", StringComparison.Ordinal));
        Assert.Equal(7, problems.Count);
    }
}
