namespace Vigil.Configuration.Tests;

/// <summary>Every class of mistake is reported at the exact line and column of the key or value.</summary>
public sealed class ProblemPositionTests
{
    [Fact]
    public void Unknown_key_names_the_key_suggests_the_nearest_and_lists_the_allowed()
    {
        var problems = TestConfig.Problems("""
            checks:
              backup:
                every: 1h
                grac: 5m
            """);

        var p = Assert.Single(problems);
        TestConfig.At(p, 4, 5);
        Assert.Contains("checks.backup: unknown key 'grac'; did you mean 'grace'?", p.Message, StringComparison.Ordinal);
        Assert.Contains("allowed: kind, uuid, every, cron", p.Message, StringComparison.Ordinal);
        Assert.Equal("/etc/vigil/vigil.yaml:4:5: " + p.Message, p.ToString());
    }

    [Fact]
    public void Grace_beyond_the_shared_limit_is_refused_at_its_value()
    {
        // The reproduced failure: this file used to pass, and the writer loop died on a DateTime overflow once the check was late.
        var p = Assert.Single(TestConfig.Problems("""
            checks:
              forever:
                every: 1s
                grace: 3000000d
            """));

        TestConfig.At(p, 4, 12);
        Assert.Equal("checks.forever.grace: must be at most 3650d (ten years)", p.Message);
    }

    [Fact]
    public void Unknown_top_level_section_is_reported()
    {
        var p = Assert.Single(TestConfig.Problems("serverr:\n  urls: http://x\n"));

        TestConfig.At(p, 1, 1);
        Assert.Contains("unknown top-level key 'serverr'; did you mean 'server'?", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_duration_names_the_key_and_points_at_the_value()
    {
        var p = Assert.Single(TestConfig.Problems("""
            defaults:
              grace: 1m
            checks:
              backup:
                every: 1h
                grace:   5 minutes
            """));

        TestConfig.At(p, 6, 14);
        Assert.StartsWith("checks.backup.grace: '5 minutes' is not a duration", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_types_say_what_was_expected_and_what_was_found()
    {
        var problems = TestConfig.Problems("""
            server: [a, b]
            ping:
              body_limit: lots
              always_200: maybe
            checks:
              backup:
                every: { period: 1h }
                tags: { a: b }
            """);

        Assert.Equal(5, problems.Count);
        TestConfig.At(TestConfig.Single(problems, "server: expected a mapping"), 1, 9);
        Assert.Contains("found a list", problems[0].Message, StringComparison.Ordinal);
        TestConfig.At(TestConfig.Single(problems, "ping.body_limit: 'lots' is not a whole number"), 3, 15);
        TestConfig.At(TestConfig.Single(problems, "ping.always_200: 'maybe' is not true or false"), 4, 15);
        TestConfig.At(TestConfig.Single(problems, "checks.backup.every: expected a duration"), 7, 12);
        TestConfig.At(TestConfig.Single(problems, "checks.backup.tags: expected a list, found a mapping"), 8, 11);
    }

    [Fact]
    public void A_key_without_a_value_is_a_problem_for_scalars()
    {
        var p = Assert.Single(TestConfig.Problems("checks:\n  backup:\n    grace:\n    every: 1h\n"));

        Assert.Contains("checks.backup.grace: has no value", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_are_reported_at_the_second_occurrence_and_loading_goes_on()
    {
        var problems = TestConfig.Problems("""
            checks:
              backup:
                every: 1h
                every: 2h
                grace: nope
              backup:
                every: 3h
            """);

        Assert.Equal(3, problems.Count);
        var first = problems[0];
        TestConfig.At(first, 4, 5);
        Assert.Equal("duplicate key 'every' (first given at line 3, column 5)", first.Message);
        TestConfig.At(problems[1], 5, 12);
        TestConfig.At(problems[2], 6, 3);
        Assert.Equal("duplicate key 'backup' (first given at line 2, column 3)", problems[2].Message);
    }

    [Fact]
    public void Bad_cron_and_unknown_time_zone_point_at_their_values()
    {
        var problems = TestConfig.Problems("""
            checks:
              a:
                cron: "61 * * * *"
              b:
                cron: "0 3 * * *"
                tz: Mars/Olympus_Mons
              c:
                every: 1h
                tz: Europe/Atlantis
              d:
                cron: "0 3 * * *"
                every: 1h
            """);

        Assert.Equal(4, problems.Count);
        TestConfig.At(TestConfig.Single(problems, "checks.a.cron: '61 * * * *' is not a cron expression"), 3, 11);
        TestConfig.At(TestConfig.Single(problems, "checks.b.tz: 'Mars/Olympus_Mons' is not a known IANA time zone"), 6, 9);
        TestConfig.At(TestConfig.Single(problems, "checks.c.tz: 'Europe/Atlantis'"), 9, 9);
        TestConfig.At(TestConfig.Single(problems, "checks.d.cron: give either every or cron, not both"), 11, 11);
    }

    [Fact]
    public void Valid_cron_with_a_real_zone_loads()
    {
        var config = TestConfig.Valid("""
            checks:
              report:
                cron: "0 7 * * 1-5"
                tz: America/New_York
            """);

        Assert.Equal("America/New_York", config.Checks[0].Tz);
        Assert.NotNull(config.Checks[0].BuildSchedule());
    }

    [Fact]
    public void Bad_check_names_are_reported_at_the_name()
    {
        var p = Assert.Single(TestConfig.Problems("checks:\n  Nightly_Backup!:\n    every: 1h\n"));

        TestConfig.At(p, 2, 3);
        Assert.Contains("'Nightly_Backup!' is not a check name", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Domain_validation_of_a_check_is_mapped_to_the_field_position()
    {
        var problems = TestConfig.Problems("""
            checks:
              a:
                every: 0s
                fail_after: 0
                flapping: { changes: 0 }
            """);

        Assert.Equal(3, problems.Count);
        TestConfig.At(TestConfig.Single(problems, "checks.a.every: must be longer than 0s"), 3, 12);
        TestConfig.At(TestConfig.Single(problems, "checks.a.fail_after: must be 1 or more"), 4, 17);
        TestConfig.At(TestConfig.Single(problems, "checks.a.flapping.changes: must be 1 or more"), 5, 26);
    }

    [Fact]
    public void A_problem_in_defaults_is_reported_once_at_the_defaults()
    {
        var problems = TestConfig.Problems("""
            defaults:
              recover_after: 0
            checks:
              a: { every: 1h }
              b: { every: 2h }
            """);

        var p = Assert.Single(problems);
        TestConfig.At(p, 2, 18);
        Assert.Equal("defaults.recover_after: must be 1 or more", p.Message);
    }

    [Fact]
    public void Every_problem_is_collected_not_just_the_first()
    {
        var problems = TestConfig.Problems("""
            server:
              startup_grace: soon
              colour: blue
            checks:
              a:
                every: 1x
                severity: fatal
            routes:
              - receivers: [nobody]
            limits:
              ghost: { rate: 1/s }
            """);

        Assert.Equal(6, problems.Count);
        Assert.Equal(problems.OrderBy(p => p.Line).ThenBy(p => p.Column), problems);
        Assert.Contains(problems, p => p.Message.Contains("'fatal' is not one of critical, warning", StringComparison.Ordinal));
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_position()
    {
        var p = Assert.Single(TestConfig.Problems("checks:\n  a: [1, 2\n  b: 3\n"));

        Assert.Contains("this is not valid YAML", p.Message, StringComparison.Ordinal);
        TestConfig.At(p, 2, 6);
    }

    [Fact]
    public void Yaml_syntax_errors_reported_by_the_parser_keep_its_position()
    {
        var p = Assert.Single(TestConfig.Problems("checks:\n  a:\n    every: 1h\n   grace: 2m\n"));

        Assert.Contains("this is not valid YAML", p.Message, StringComparison.Ordinal);
        Assert.Equal(4, p.Line);
    }

    [Fact]
    public void A_file_that_is_not_a_mapping_is_refused()
    {
        var p = Assert.Single(TestConfig.Problems("- just\n- a list\n"));

        TestConfig.At(p, 1, 1);
        Assert.Contains("the file must be a mapping", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_one_problem_without_position()
    {
        var result = ConfigLoader.Load("/nonexistent/vigil.yaml", TestConfig.NoEnv);

        var p = Assert.Single(result.Problems);
        Assert.Equal(0, p.Line);
        Assert.StartsWith("/nonexistent/vigil.yaml: cannot read the file", p.ToString(), StringComparison.Ordinal);
    }
}
