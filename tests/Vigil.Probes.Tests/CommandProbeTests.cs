using System.Globalization;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

public sealed class CommandProbeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CommandProbeDefinition Sh(string script, TimeSpan? timeout = null) =>
        new() { Run = ["sh", "-c", script], Timeout = timeout ?? ProbeDefinition.DefaultTimeout };

    [Theory]
    [InlineData(0, Level.Ok)]
    [InlineData(1, Level.Warning)]
    [InlineData(2, Level.Critical)]
    public async Task Without_conditions_a_plugin_is_read_the_Nagios_way(int exit, Level expected)
    {
        var m = await Probe.MeasureAsync(Sh($"echo 'DISK STATE {exit} - 42% free | /=58%;80;90'; echo second line; exit {exit}"));

        Probe.Is(expected, m);
        Assert.False(m.Unmeasurable);
        Assert.Equal($"DISK STATE {exit} - 42% free", m.Reason);
        Assert.Equal(exit, m.Quantities[Quantity.ExitStatus]);
    }

    [Fact]
    public async Task Unknown_and_other_exit_statuses_are_unmeasurable()
    {
        var unknown = await Probe.MeasureAsync(Sh("echo 'CHECK UNKNOWN - no data'; exit 3"));
        var other = await Probe.MeasureAsync(Sh("exit 42"), Probe.Rules(unmeasurable: Level.Warning));

        Probe.Unmeasurable(unknown, "exited with status 3 (UNKNOWN): CHECK UNKNOWN - no data");
        Probe.Is(Level.Critical, unknown);
        Probe.Unmeasurable(other, "exited with status 42");
        Probe.Is(Level.Warning, other);
    }

    [Fact]
    public async Task With_conditions_the_exit_status_and_the_number_printed_are_judged()
    {
        var value = await Probe.MeasureAsync(Sh("echo 17.5"), Probe.Rules("value > 10", "value > 20"));
        var failed = await Probe.MeasureAsync(Sh("exit 4"), Probe.Rules(criticalIf: "exit_status != 0"));
        var noNumber = await Probe.MeasureAsync(Sh("echo none"), Probe.Rules("value > 10"));

        Probe.Is(Level.Warning, value);
        Assert.Equal("sh printed 17.5 (warning if value > 10, critical if value > 20)", value.Reason);
        Probe.Is(Level.Critical, failed);
        Probe.Unmeasurable(noNumber, "no value was measured");
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_unmeasurable()
    {
        var m = await Probe.MeasureAsync(new CommandProbeDefinition { Run = [_dir.Combine("no-such-plugin"), "-w", "10%"] });

        Probe.Unmeasurable(m, "cannot run");
    }

    [Fact]
    public async Task No_shell_is_involved_so_metacharacters_are_plain_arguments()
    {
        var marker = _dir.Combine("created-by-a-shell");

        var m = await Probe.MeasureAsync(new CommandProbeDefinition { Run = ["echo", $"ok; touch {marker}"] });

        Probe.Is(Level.Ok, m);
        Assert.Equal($"ok; touch {marker}", m.Reason);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_unmeasurable_and_its_whole_process_tree_is_killed()
    {
        var pids = _dir.Combine("pids");
        var started = TimeProvider.System.GetTimestamp();

        var m = await Probe.MeasureAsync(Sh($"sleep 60 & echo $! > {pids}; sleep 60", TimeSpan.FromMilliseconds(800)), time: TimeProvider.System);

        Probe.Unmeasurable(m, "sh was still running after 800ms (the probe's timeout); its process tree was killed");
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        var grandchild = int.Parse((await File.ReadAllTextAsync(pids)).Trim(), CultureInfo.InvariantCulture);
        await Poll.UntilAsync(() => !Directory.Exists($"/proc/{grandchild}") || File.ReadAllText($"/proc/{grandchild}/stat").Split(' ')[2] == "Z",
            $"the background sleep {grandchild} to be killed with its parent");
    }
}
