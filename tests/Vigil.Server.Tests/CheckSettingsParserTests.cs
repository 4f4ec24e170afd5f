using System.Reflection;
using System.Text.Json;
using Vigil.Configuration;
using Vigil.Domain.Checks;
using Vigil.Server.Http;

namespace Vigil.Server.Tests;

/// <summary>The config file and the API read a check's settings with one parser and one set of limits.</summary>
public sealed class CheckSettingsParserTests
{
    [Fact]
    public void The_same_settings_in_yaml_and_in_a_put_body_make_the_same_check()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "vigil.yaml");
        File.WriteAllText(path, """
            checks:
              job:
                cron: "*/5 * * * *"
                tz: Europe/Berlin
                grace: 30s
                max_runtime: 2m
                max_data_age: 1h
                fail_after: 2
                recover_after: 3
                flapping: { changes: 3, window: 10m }
                severity: warning
                tags: [a, b]
                keywords: { failure: [ERR] }
                description: nightly job
                runbook: https://wiki/job
                manual_resume: true
                concurrency: 2
            """);
        var fromYaml = ConfigLoader.Load(path, new Dictionary<string, string?>()).Config!.Checks.Single();
        using var body = JsonDocument.Parse("""
            {"cron":"*/5 * * * *","tz":"Europe/Berlin","grace":"30s","max_runtime":120,"max_data_age":"1h","fail_after":2,"recover_after":3,
             "flapping":{"changes":3,"window":"10m"},"severity":"warning","tags":["a","b"],"keywords":{"failure":["ERR"]},
             "description":"nightly job","runbook":"https://wiki/job","manual_resume":true,"concurrency":2}
            """);
        var errors = new RequestErrors();

        var fromApi = CheckBody.ToDefinition(body.RootElement, "job", new CheckDefinition { Name = "defaults" }, errors);

        Assert.False(errors.Any);
        Assert.True(fromYaml.HasSameSettingsAs(fromApi with { ManagedBy = fromYaml.ManagedBy }), $"{fromYaml}\n{fromApi}");
    }

    [Fact]
    public void The_documented_body_has_exactly_the_keys_the_parser_reads()
    {
        var documented = typeof(CheckBody).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).Order(StringComparer.Ordinal);

        Assert.Equal(CheckBody.Keys.Order(StringComparer.Ordinal), documented);
    }
}
