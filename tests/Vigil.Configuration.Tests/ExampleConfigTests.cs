using Vigil.Configuration.Receivers;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Tests;

public sealed class ExampleConfigTests
{
    private static string ExamplePath => Path.Combine(TestConfig.RepositoryRoot(), "examples", "vigil.yaml");

    [Fact]
    public void The_example_loads_without_problems_and_without_environment()
    {
        var result = ConfigLoader.Load(ExamplePath, TestConfig.NoEnv);

        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        var config = result.Config!;
        var exampleDir = Path.GetDirectoryName(ExamplePath)!;
        Assert.Equal(Path.Combine(exampleDir, "data"), config.Server.DataDirectory);
        Assert.Equal(Path.Combine(exampleDir, "data", "vigil.db"), config.Storage.SqlitePath);
        Assert.Equal(["nightly-backup", "trading-bot", "price-publisher"], config.Checks.Select(c => c.Name));
        Assert.All(config.Checks, c => Assert.Equal(ManagedBy.Config, c.ManagedBy));

        var backup = config.Checks[0];
        Assert.Equal("30 2 * * *", backup.Cron);
        Assert.Equal("Europe/Berlin", backup.Tz);
        Assert.NotNull(backup.BuildSchedule());

        var bot = config.Checks[1];
        Assert.Null(bot.BuildSchedule());
        Assert.Null(bot.MaxRuntime);

        var publisher = config.Checks[2];
        Assert.Equal(TimeSpan.FromSeconds(30), publisher.Every);
        Assert.Equal(TimeSpan.FromMinutes(5), publisher.MaxDataAge);

        var file = Assert.IsType<FileReceiver>(config.Receivers["alerts-file"]);
        Assert.Equal(Path.Combine(exampleDir, "data", "alerts.jsonl"), file.Path);
        var hook = Assert.IsType<WebhookReceiver>(config.Receivers["ops-webhook"]);
        Assert.Equal(new Uri("http://127.0.0.1:9000/vigil"), hook.Url);
        var route = Assert.Single(config.Routes);
        Assert.Equal(["ops-webhook", "alerts-file"], route.Receivers);
        Assert.Equal(5, Assert.Single(config.Breakers.Values).FailureThreshold);
        var gate = Assert.Single(config.Gates.Values);
        Assert.Equal(["trading"], gate.CheckTags);
        Assert.Equal(["exchange-api"], gate.Breakers);
        Assert.True(gate.StartClosed);
    }

    [Fact]
    public void The_example_takes_the_webhook_url_from_the_environment()
    {
        var env = TestConfig.Env(("VIGIL_WEBHOOK_URL", "https://hooks.example/x"));

        var config = ConfigLoader.Load(ExamplePath, env).Config!;

        Assert.Equal(new Uri("https://hooks.example/x"), ((WebhookReceiver)config.Receivers["ops-webhook"]).Url);
    }
}
