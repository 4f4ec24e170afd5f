using Vigil.Testing;

namespace Vigil.EndToEnd.Tests;

/// <summary>The probe examples through `vigil config check`, and `vigil serve` refusing modes without a mode, as a
/// user runs them.</summary>
public sealed class ProbeCommandLineTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("options-scanner.yaml", 4)]
    [InlineData("trading-host.yaml", 2)]
    [InlineData("rate-limited-publisher.yaml", 2)]
    public async Task Config_check_accepts_the_probe_example(string file, int checks)
    {
        await using var check = ChildProcess.StartVigil(["config", "check", Path.Combine(VigilBinary.RepoRoot, "examples", file)]);

        Assert.True(await check.WaitForExitAsync(Quick) == 0, check.Output);
        Assert.Contains($"ok ({checks} checks", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_a_config_that_declares_modes_and_chooses_none()
    {
        using var dir = new TempDir();
        var file = dir.Combine("vigil.yaml");
        await File.WriteAllTextAsync(file, """
            modes:
              paper: {}
              live: {}
            checks:
              job:
                every: 1h
            """);

        await using var serve = ChildProcess.StartVigil(["serve", "--config", file, "--data", dir.Combine("data"), "--urls", $"http://127.0.0.1:{Ports.Free()}"],
            new Dictionary<string, string?> { ["VIGIL_MODE"] = null });
        var exit = await serve.WaitForExitAsync(Quick);

        Assert.True(exit == 1, $"vigil serve started without a mode\n{serve.Output}");
        Assert.Contains("mode: must choose one of paper, live (or set VIGIL_MODE)", serve.Stderr, StringComparison.Ordinal);
        Assert.Contains("not starting", serve.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Combine("data"), "vigil.db")), "nothing was created before refusing");
    }
}
