using System.Diagnostics;
using System.Globalization;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

/// <summary>
/// pid and pid_file against a real child process holding a known amount of memory; systemd units and cgroup
/// paths against a fake cgroup v2 tree (memory.current / memory.max), since systemd does not run on the test
/// machines and the tests must not depend on the host's own cgroup layout.
/// </summary>
public sealed class MemoryProbeTests : IDisposable
{
    private const long Allocated = 200L << 20;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>perl (always on Debian) grows a string in place to 200 MiB of 'a', so exactly those pages are resident, says so, and sleeps.</summary>
    private static async Task<Process> HoldMemoryAsync()
    {
        var info = new ProcessStartInfo("perl") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("-e");
        info.ArgumentList.Add($"$| = 1; my $x = 'a'; $x x= {Allocated}; print \"ready\\n\"; sleep 60;");
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("ready", line);
        return process;
    }

    [Fact]
    public async Task A_process_by_pid_and_by_pid_file_uses_what_it_allocated()
    {
        using var child = await HoldMemoryAsync();
        try
        {
            var pidFile = _dir.Combine("worker.pid");
            await File.WriteAllTextAsync(pidFile, child.Id.ToString(CultureInfo.InvariantCulture) + "\n");

            var byPid = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.Pid, Of = child.Id.ToString(CultureInfo.InvariantCulture) }, Probe.Rules("used_bytes > 150MiB", "used_bytes > 4GiB"));
            var byFile = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.PidFile, Of = pidFile }, Probe.Rules(criticalIf: "used_bytes > 150MiB"));
            var small = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.Pid, Of = child.Id.ToString(CultureInfo.InvariantCulture) }, Probe.Rules("used_bytes > 4GiB"));

            Probe.Is(Level.Warning, byPid);
            Assert.InRange(byPid.Quantities[Quantity.UsedBytes], Allocated, Allocated + (64L << 20));
            Assert.InRange(byPid.Quantities[Quantity.UsedPct], 0.01, 100);
            Assert.StartsWith($"process {child.Id} uses 2", byPid.Reason, StringComparison.Ordinal);
            Probe.Is(Level.Critical, byFile);
            Probe.Is(Level.Ok, small);
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_process_that_is_gone_or_a_bad_pid_file_is_unmeasurable()
    {
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        var garbage = _dir.Combine("garbage.pid");
        await File.WriteAllTextAsync(garbage, "not-a-pid");

        var gone = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.Pid, Of = exited.Id.ToString(CultureInfo.InvariantCulture) });
        var missing = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.PidFile, Of = _dir.Combine("none.pid") });
        var bad = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.PidFile, Of = garbage });

        Probe.Unmeasurable(gone, "is not running");
        Probe.Unmeasurable(missing, "does not exist");
        Probe.Unmeasurable(bad, "holds 'not-a-pid', not a process id");
        Assert.False(File.Exists(_dir.Combine("none.pid")));
    }

    private ProbeOptions FakeTree()
    {
        var root = _dir.Combine("cgroup");
        var proc = _dir.Combine("proc");
        Directory.CreateDirectory(proc);
        File.WriteAllText(Path.Combine(proc, "meminfo"), "MemTotal:       8388608 kB\nMemFree:        1000 kB\n");
        void Group(string path, long current, string max)
        {
            var dir = Path.Combine(root, path);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "memory.current"), current.ToString(CultureInfo.InvariantCulture) + "\n");
            File.WriteAllText(Path.Combine(dir, "memory.max"), max + "\n");
        }

        Group("system.slice/market-data-worker.service", 960L << 20, (1L << 30).ToString(CultureInfo.InvariantCulture));
        Group("user.slice/user-1000.slice/user@1000.service/app.slice/scanner.service", 512L << 20, "max");
        Group("jobs/batch", 2L << 30, "max");
        return new ProbeOptions { CgroupRoot = root, ProcRoot = proc };
    }

    [Fact]
    public async Task A_systemd_unit_is_measured_against_its_cgroup_limit_wherever_the_unit_sits()
    {
        var options = FakeTree();

        var worker = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.SystemdUnit, Of = "market-data-worker.service" }, Probe.Rules("used_pct > 90", "used_pct > 95"), options: options);
        var scanner = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.SystemdUnit, Of = "scanner" }, Probe.Rules("used_pct > 5"), options: options);
        var absent = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.SystemdUnit, Of = "absent.service" }, options: options);

        Probe.Is(Level.Warning, worker);
        Assert.Equal(93.75, worker.Quantities[Quantity.UsedPct]);
        Assert.Equal("unit market-data-worker.service uses 960 MiB, 93.8% of its limit (1 GiB) (warning if used_pct > 90, critical if used_pct > 95)", worker.Reason);
        Probe.Is(Level.Warning, scanner);
        Assert.Equal(6.25, scanner.Quantities[Quantity.UsedPct]);
        Assert.Contains("of the machine's memory (8 GiB)", scanner.Reason, StringComparison.Ordinal);
        Probe.Unmeasurable(absent, "no cgroup for absent.service");
    }

    [Fact]
    public async Task A_cgroup_path_without_a_limit_is_measured_against_the_machine()
    {
        var options = FakeTree();

        var relative = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.Cgroup, Of = "/jobs/batch" }, Probe.Rules(criticalIf: "used_bytes >= 2GiB"), options: options);
        var absolute = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.Cgroup, Of = Path.Combine(options.CgroupRoot, "jobs/batch") }, options: options);
        var missing = await Probe.MeasureAsync(new MemoryProbeDefinition { Target = MemoryTarget.Cgroup, Of = "jobs/none" }, options: options);

        Probe.Is(Level.Critical, relative);
        Assert.Equal(25, relative.Quantities[Quantity.UsedPct]);
        Probe.Is(Level.Ok, absolute);
        Probe.Unmeasurable(missing, "does not exist");
    }
}
