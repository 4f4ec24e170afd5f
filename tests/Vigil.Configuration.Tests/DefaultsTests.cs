using Vigil.Domain.Checks;

namespace Vigil.Configuration.Tests;

public sealed class DefaultsTests
{
    [Fact]
    public void An_empty_file_gives_the_documented_defaults()
    {
        var config = TestConfig.Valid("");

        Assert.Equal("http://127.0.0.1:8470", config.Server.Urls);
        Assert.Equal("/etc/vigil/data", config.Server.DataDirectory);
        Assert.Equal(TimeSpan.FromMinutes(2), config.Server.StartupGrace);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Server.ShutdownTimeout);
        Assert.Equal(StorageProvider.Sqlite, config.Storage.Provider);
        Assert.Equal("/etc/vigil/data/vigil.db", config.Storage.SqlitePath);
        Assert.Equal(100_000, config.Ping.BodyLimit);
        Assert.Equal(new Rate(10, TimeSpan.FromSeconds(1)), config.Ping.RateLimit);
        Assert.False(config.Ping.Always200);
        Assert.Equal(TimeSpan.FromDays(1), config.Ping.AutoCreate.Settings.Every);
        Assert.Equal(TimeSpan.FromHours(1), config.Ping.AutoCreate.Settings.Grace);
        Assert.False(config.Metrics.Public);
        Assert.Null(config.Mode);
        Assert.Empty(config.Checks);
        Assert.Empty(config.Routes);
        Assert.Empty(config.ApiKeys);
    }

    [Fact]
    public void Default_without_a_file_matches_an_empty_file()
    {
        var config = VigilConfig.Default("/srv/vigil-data");

        Assert.Null(config.SourcePath);
        Assert.Equal("/srv/vigil-data", config.Server.DataDirectory);
        Assert.Equal("/srv/vigil-data/vigil.db", config.Storage.SqlitePath);
        Assert.Equal(TestConfig.Valid("").Ping with { AutoCreate = config.Ping.AutoCreate }, config.Ping);
        Assert.Equal(TimeSpan.FromDays(1), config.Ping.AutoCreate.Settings.Every);
        var created = config.Ping.AutoCreate.Create("new-job", Guid.NewGuid());
        Assert.Equal(("new-job", ManagedBy.Api), (created.Name, created.ManagedBy));
        Assert.Empty(config.Checks);
    }

    [Fact]
    public void Defaults_apply_to_every_check_that_does_not_say_otherwise()
    {
        var config = TestConfig.Valid("""
            defaults:
              grace: 5m
              severity: warning
              fail_after: 3
              recover_after: 2
              flapping: { changes: 4, window: 30m }
              tz: Europe/Berlin
              tags: [team-a]
              max_runtime: 1h
            checks:
              plain: { every: 10m }
              own:
                cron: "0 3 * * *"
                grace: 1m
                severity: critical
                flapping: { window: 2h }
                tags: [team-b, nightly]
                fail_after: 1
            """);

        var plain = config.Checks[0];
        Assert.Equal(TimeSpan.FromMinutes(5), plain.Grace);
        Assert.Equal(Severity.Warning, plain.Severity);
        Assert.Equal((3, 2), (plain.FailAfter, plain.RecoverAfter));
        Assert.Equal(new FlappingSettings(4, TimeSpan.FromMinutes(30)), plain.Flapping);
        Assert.Equal("Europe/Berlin", plain.Tz);
        Assert.Equal(["team-a"], plain.Tags);
        Assert.Equal(TimeSpan.FromHours(1), plain.MaxRuntime);
        Assert.Equal(ManagedBy.Config, plain.ManagedBy);

        var own = config.Checks[1];
        Assert.Equal(TimeSpan.FromMinutes(1), own.Grace);
        Assert.Equal(Severity.Critical, own.Severity);
        Assert.Equal(new FlappingSettings(4, TimeSpan.FromHours(2)), own.Flapping);
        Assert.Equal(["team-b", "nightly"], own.Tags);
        Assert.Equal(1, own.FailAfter);
        Assert.Equal(2, own.RecoverAfter);
        Assert.Equal("Europe/Berlin", own.Tz);
        Assert.Equal(3, config.Defaults.Settings.FailAfter);
    }

    [Fact]
    public void Checks_without_settings_are_all_defaults_and_keep_file_order()
    {
        var config = TestConfig.Valid("checks:\n  zeta:\n  alpha: {}\n  mid: { every: 1m }\n");

        Assert.Equal(["zeta", "alpha", "mid"], config.Checks.Select(c => c.Name));
        Assert.Equal(CheckDefinition.DefaultGrace, config.Checks[0].Grace);
        Assert.Null(config.Checks[0].Every);
        Assert.Equal(1, config.Checks[0].Concurrency);
    }

    [Fact]
    public void Every_check_key_is_read()
    {
        var check = TestConfig.Valid("""
            remediations:
              fix: { steps: [ { wait: 1m } ] }
            checks:
              other: {}
              full:
                kind: heartbeat
                uuid: 0b0e3c8e-5f55-4a43-9d59-1f1c0c1e2d3a
                every: 90
                grace: 1h30m
                max_runtime: 20m
                min_interval: 30s
                max_data_age: 2d
                fail_after: 2
                recover_after: 3
                flapping: { changes: 10, window: 1d }
                severity: warning
                tags: [a, b]
                description: All keys
                runbook: https://wiki.example/full
                paused: true
                manual_resume: true
                concurrency: 4
                depends_on: [other]
                remediation: fix
                keywords: { success: [OK], failure: [ERROR, FATAL], start: [BEGIN] }
            """).Checks[1];

        Assert.Equal(CheckKind.Heartbeat, check.Kind);
        Assert.Equal(Guid.Parse("0b0e3c8e-5f55-4a43-9d59-1f1c0c1e2d3a"), check.Uuid);
        Assert.Equal(TimeSpan.FromSeconds(90), check.Every);
        Assert.Equal(TimeSpan.FromMinutes(90), check.Grace);
        Assert.Equal(TimeSpan.FromMinutes(20), check.MaxRuntime);
        Assert.Equal(TimeSpan.FromSeconds(30), check.MinInterval);
        Assert.Equal(TimeSpan.FromDays(2), check.MaxDataAge);
        Assert.Equal((2, 3, 4), (check.FailAfter, check.RecoverAfter, check.Concurrency));
        Assert.Equal(new FlappingSettings(10, TimeSpan.FromDays(1)), check.Flapping);
        Assert.Equal(Severity.Warning, check.Severity);
        Assert.Equal(["a", "b"], check.Tags);
        Assert.Equal(("All keys", "https://wiki.example/full"), (check.Description, check.Runbook));
        Assert.True(check.Paused);
        Assert.True(check.ManualResume);
        Assert.Equal(["other"], check.DependsOn);
        Assert.Equal("fix", check.Remediation);
        Assert.Equal(["ERROR", "FATAL"], check.Keywords!.Failure);
        Assert.Equal(["BEGIN"], check.Keywords.Start);
    }

    [Fact]
    public void Ping_auto_create_builds_on_defaults()
    {
        var config = TestConfig.Valid("""
            defaults: { grace: 7m, severity: warning }
            ping:
              body_limit: 2000
              rate_limit: 600/min
              always_200: true
              auto_create: { cron: "0 * * * *", tags: [auto] }
            """);

        var template = config.Ping.AutoCreate.Settings;
        Assert.Equal("0 * * * *", template.Cron);
        Assert.Null(template.Every);
        Assert.Equal(TimeSpan.FromHours(1), template.Grace);
        Assert.Equal(Severity.Warning, template.Severity);
        Assert.Equal(["auto"], template.Tags);
        Assert.Equal(2000, config.Ping.BodyLimit);
        Assert.Equal(new Rate(600, TimeSpan.FromMinutes(1)), config.Ping.RateLimit);
        Assert.Equal(10.0, config.Ping.RateLimit.PerSecond, 3);
        Assert.True(config.Ping.Always200);
    }

    [Fact]
    public void Anchors_aliases_and_merge_keys_work()
    {
        var config = TestConfig.Valid("""
            checks:
              base: &job { every: 1h, grace: 10m, tags: [jobs] }
              copy:
                <<: *job
                grace: 20m
            """);

        Assert.Equal(TimeSpan.FromHours(1), config.Checks[1].Every);
        Assert.Equal(TimeSpan.FromMinutes(20), config.Checks[1].Grace);
        Assert.Equal(["jobs"], config.Checks[1].Tags);
    }
}
