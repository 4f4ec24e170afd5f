using Vigil.Testing;

namespace Vigil.EndToEnd.Tests;

/// <summary>`vigil serve` refusing to start, and `vigil config check`, as a user runs them.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Serve_with_an_unwritable_data_directory_exits_non_zero_quickly_naming_the_path()
    {
        using var dir = new TempDir();
        var blocker = dir.Combine("not-a-directory");
        await File.WriteAllTextAsync(blocker, "a regular file");
        var data = Path.Combine(blocker, "data");
        var port = Ports.Free();

        await using var serve = ChildProcess.StartVigil(["serve", "--data", data, "--urls", $"http://127.0.0.1:{port}"]);
        var started = TimeProvider.System.GetTimestamp();
        var exit = await serve.WaitForExitAsync(Quick);

        Assert.True(exit != 0, $"vigil serve started without its store\n{serve.Output}");
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(15), "vigil serve took too long to refuse");
        Assert.Contains(blocker, serve.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_accepts_the_example()
    {
        await using var check = ChildProcess.StartVigil(["config", "check", Path.Combine(VigilBinary.RepoRoot, "examples", "vigil.yaml")]);
        Assert.True(await check.WaitForExitAsync(Quick) == 0, check.Output);
    }

    [Fact]
    public async Task Config_check_reports_every_problem_with_file_line_column_and_exits_1()
    {
        using var dir = new TempDir();
        var file = dir.Combine("broken.yaml");
        await File.WriteAllTextAsync(file, """
            server:
              startup_grace: 3 weeks
            checks:
              backup:
                every: 1h
                colour: blue
            """);

        await using var check = ChildProcess.StartVigil(["config", "check", file]);
        Assert.True(await check.WaitForExitAsync(Quick) == 1, check.Output);

        var lines = (check.Stdout + check.Stderr).Split('\n');
        Assert.Contains(lines, l => l.StartsWith(file + ":2:", StringComparison.Ordinal) && l.Contains("startup_grace", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(file + ":6:", StringComparison.Ordinal) && l.Contains("colour", StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.StartsWith(file, StringComparison.Ordinal)),
            l => Assert.Matches(@"^.+:\d+:\d+: \S", l));
    }
}
