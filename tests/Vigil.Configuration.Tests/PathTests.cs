namespace Vigil.Configuration.Tests;

/// <summary>Relative paths resolve against the configuration file's directory, not the working directory.</summary>
public sealed class PathTests
{
    [Fact]
    public void Relative_paths_resolve_against_the_file_directory()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("conf/vigil.yaml", """
            server: { data: ./state }
            storage: { sqlite: ../db/vigil.db }
            receivers:
              log: { file: { path: alerts/out.jsonl } }
              abs: { file: { path: /var/log/vigil.jsonl } }
            """);

        var result = ConfigLoader.Load(file, TestConfig.NoEnv);

        Assert.True(result.IsValid, string.Join('\n', result.Problems));
        var config = result.Config!;
        Assert.Equal(file, config.SourcePath);
        Assert.Equal(Path.Combine(dir.Path, "conf", "state"), config.Server.DataDirectory);
        Assert.Equal(Path.Combine(dir.Path, "db", "vigil.db"), config.Storage.SqlitePath);
        Assert.Equal(Path.Combine(dir.Path, "conf", "alerts", "out.jsonl"), ((Receivers.FileReceiver)config.Receivers["log"]).Path);
        Assert.Equal("/var/log/vigil.jsonl", ((Receivers.FileReceiver)config.Receivers["abs"]).Path);
    }

    [Fact]
    public void The_default_database_lives_in_the_resolved_data_directory()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("vigil.yaml", "server:\n  data: data\n");

        var config = ConfigLoader.Load(file, TestConfig.NoEnv).Config!;

        Assert.Equal(Path.Combine(dir.Path, "data", "vigil.db"), config.Storage.SqlitePath);
    }

    [Fact]
    public void Problems_name_the_file_as_given()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("bad.yaml", "checks:\n  a: { every: often }\n");

        var p = Assert.Single(ConfigLoader.Load(file, TestConfig.NoEnv).Problems);

        Assert.StartsWith($"{file}:2:15: checks.a.every: 'often' is not a duration", p.ToString(), StringComparison.Ordinal);
    }
}
