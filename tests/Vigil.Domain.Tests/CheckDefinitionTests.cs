using Vigil.Domain.Checks;

namespace Vigil.Domain.Tests;

public class CheckDefinitionTests
{
    private static List<string> Fields(CheckDefinition definition) => definition.Validate().Select(p => p.Field).ToList();

    [Theory]
    [InlineData("backup")]
    [InlineData("db-1.nightly_dump")]
    [InlineData("0abc")]
    public void Validate_GoodName_HasNoProblems(string name)
    {
        Assert.Empty(new CheckDefinition { Name = name }.Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Backup")]
    [InlineData("-backup")]
    [InlineData("back up")]
    [InlineData("bäckup")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Validate_BadName_IsReported(string name)
    {
        var problem = Assert.Single(new CheckDefinition { Name = name }.Validate());
        Assert.Equal("name", problem.Field);
        Assert.Contains($"'{name}'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BothEveryAndCron_IsReported()
    {
        var definition = new CheckDefinition { Name = "job", Every = TimeSpan.FromMinutes(5), Cron = "*/5 * * * *" };

        Assert.Equal(["cron"], Fields(definition));
    }

    [Fact]
    public void Validate_BadTzWithCron_IsReportedOnTz()
    {
        var definition = TestKit.Cron("job", "0 3 * * *", "Mars/Olympus_Mons");

        var problem = Assert.Single(definition.Validate());
        Assert.Equal("tz", problem.Field);
        Assert.Contains("Mars/Olympus_Mons", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadTzWithoutCron_IsReportedOnTz()
    {
        var definition = new CheckDefinition { Name = "job", Tz = "Nowhere/Land" };

        Assert.Equal(["tz"], Fields(definition));
    }

    [Fact]
    public void Validate_BadCron_IsReportedOnCron()
    {
        Assert.Equal(["cron"], Fields(TestKit.Cron("job", "61 * * * *", "UTC")));
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Sydney")]
    [InlineData("Asia/Kolkata")]
    [InlineData("UTC")]
    public void Validate_GoodCronAndTz_HasNoProblems(string tz)
    {
        var definition = TestKit.Cron("job", "30 2 * * *", tz);

        Assert.Empty(definition.Validate());
        Assert.NotNull(definition.BuildSchedule());
    }

    [Fact]
    public void Validate_NumericLimits_AreReported()
    {
        var definition = new CheckDefinition
        {
            Name = "job",
            Every = TimeSpan.Zero,
            Grace = TimeSpan.FromSeconds(-1),
            FailAfter = 0,
            RecoverAfter = 0,
            Concurrency = 0,
            MaxDataAge = TimeSpan.Zero,
            Flapping = new FlappingSettings(0, TimeSpan.Zero),
        };

        Assert.Equal(
            ["every", "grace", "max_data_age", "fail_after", "recover_after", "concurrency", "flapping.changes", "flapping.window"],
            Fields(definition));
    }

    [Fact]
    public void EffectiveMaxRuntime_DefaultsToGrace()
    {
        var definition = new CheckDefinition { Name = "job", Grace = TimeSpan.FromMinutes(7) };

        Assert.Equal(TimeSpan.FromMinutes(7), definition.EffectiveMaxRuntime);
        Assert.Equal(TimeSpan.FromMinutes(3), (definition with { MaxRuntime = TimeSpan.FromMinutes(3) }).EffectiveMaxRuntime);
    }
}
