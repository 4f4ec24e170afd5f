using System.Globalization;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>memory</c>, read from cgroup v2 and procfs only (no process is started, nothing is written):
/// <list type="bullet">
/// <item>a systemd unit: its cgroup, <c>system.slice/UNIT</c> or wherever in the tree a group of that name is;</item>
/// <item>a cgroup path (absolute, or relative to the cgroup root): <c>memory.current</c> against <c>memory.max</c>;</item>
/// <item>a pid or a pid file: the process's resident set (<c>VmRSS</c>) against its cgroup's <c>memory.max</c>.</item>
/// </list>
/// Without a limit (<c>memory.max</c> is <c>max</c>), <c>used_pct</c> is of the machine's MemTotal.
/// </summary>
internal sealed class MemoryProbe(MemoryProbeDefinition definition, ProbeOptions options, TimeProvider time) : IProbeReader
{
    /// <summary>How deep a unit's group is looked for below the root (user slices nest a few levels).</summary>
    private const int SearchDepth = 5;

    public string Subject { get; } = definition.Target switch
    {
        MemoryTarget.SystemdUnit => $"unit {Unit(definition.Of)}",
        MemoryTarget.PidFile => $"the process in {definition.Of}",
        MemoryTarget.Pid => $"process {definition.Of}",
        _ => $"cgroup {definition.Of}",
    };

    public Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        return Task.FromResult(Read(out var used, out var limit, out var limitName) is { } problem
            ? ProbeReading.Unmeasurable(at, Subject, problem)
            : Measured(at, used, limit, limitName));
    }

    private ProbeReading Measured(DateTimeOffset at, long used, long limit, string limitName)
    {
        var pct = limit > 0 ? used * 100d / limit : 0;
        var q = new Dictionary<string, double> { [Quantity.UsedBytes] = used, [Quantity.UsedPct] = pct };
        var sentence = $"{Subject} uses {Phrasing.Bytes(used)}, {Phrasing.Value(Quantity.UsedPct, pct)} of {limitName} ({Phrasing.Bytes(limit)})";
        return ProbeReading.Measured(at, Subject, q, new Dictionary<string, string> { [Quantity.UsedBytes] = sentence, [Quantity.UsedPct] = sentence });
    }

    private string? Read(out long used, out long limit, out string limitName)
    {
        used = limit = 0;
        limitName = "";
        string? group;
        switch (definition.Target)
        {
            case MemoryTarget.SystemdUnit:
                group = FindUnit(Unit(definition.Of));
                if (group is null)
                {
                    return $"no cgroup for {Unit(definition.Of)} under {options.CgroupRoot} (is the unit running, on cgroup v2?)";
                }

                return ReadGroup(group, out used, out limit, out limitName);
            case MemoryTarget.Cgroup:
                group = definition.Of.StartsWith(options.CgroupRoot, StringComparison.Ordinal)
                    ? definition.Of
                    : Path.Combine(options.CgroupRoot, definition.Of.TrimStart('/'));
                return Directory.Exists(group) ? ReadGroup(group, out used, out limit, out limitName) : $"cgroup {group} does not exist";
            default:
                var pidText = definition.Of;
                if (definition.Target == MemoryTarget.PidFile)
                {
                    if (!File.Exists(definition.Of))
                    {
                        return $"the pid file {definition.Of} does not exist";
                    }

                    pidText = File.ReadAllText(definition.Of).Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                    if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
                    {
                        return $"the pid file {definition.Of} holds '{pidText}', not a process id";
                    }
                }

                return ReadProcess(pidText, out used, out limit, out limitName);
        }
    }

    private string? ReadGroup(string group, out long used, out long limit, out string limitName)
    {
        used = limit = 0;
        limitName = "";
        var current = Path.Combine(group, "memory.current");
        if (!File.Exists(current) || !long.TryParse(File.ReadAllText(current).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out used))
        {
            return $"{current} cannot be read (is the memory controller enabled for {group}?)";
        }

        return Limit(group, out limit, out limitName);
    }

    private string? ReadProcess(string pid, out long used, out long limit, out string limitName)
    {
        used = limit = 0;
        limitName = "";
        var status = Path.Combine(options.ProcRoot, pid, "status");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(status);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"process {pid} is not running";
        }

        var rss = lines.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        if (rss is null || Kilobytes(rss) is not { } bytes)
        {
            return $"process {pid} has no resident memory to read (a kernel thread or a zombie)";
        }

        used = bytes;
        // The process's own cgroup limit when it has one: that is the limit the kernel enforces on it.
        var cgroupFile = Path.Combine(options.ProcRoot, pid, "cgroup");
        var line = File.Exists(cgroupFile) ? File.ReadAllLines(cgroupFile).FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal)) : null;
        var group = line is null ? null : Path.Combine(options.CgroupRoot, line[3..].TrimStart('/'));
        return Limit(group, out limit, out limitName);
    }

    private string? Limit(string? group, out long limit, out string limitName)
    {
        var max = group is null ? null : Path.Combine(group, "memory.max");
        if (max is not null && File.Exists(max) && long.TryParse(File.ReadAllText(max).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out limit))
        {
            limitName = "its limit";
            return null;
        }

        limitName = "the machine's memory";
        var meminfo = Path.Combine(options.ProcRoot, "meminfo");
        var total = File.Exists(meminfo) ? File.ReadAllLines(meminfo).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        if (total is not null && Kilobytes(total) is { } bytes)
        {
            limit = bytes;
            return null;
        }

        limit = 0;
        return $"no memory limit and no MemTotal in {meminfo}";
    }

    private string? FindUnit(string unit)
    {
        var direct = Path.Combine(options.CgroupRoot, "system.slice", unit);
        if (Directory.Exists(direct))
        {
            return direct;
        }

        var level = new List<string> { options.CgroupRoot };
        for (var depth = 0; depth < SearchDepth && level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var dir in level)
            {
                IEnumerable<string> children;
                try
                {
                    children = Directory.EnumerateDirectories(dir).ToList();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                foreach (var child in children)
                {
                    if (Path.GetFileName(child) == unit)
                    {
                        return child;
                    }

                    next.Add(child);
                }
            }

            level = next;
        }

        return null;
    }

    /// <summary>"VmRSS:   123456 kB" → bytes.</summary>
    private static long? Kilobytes(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
    }

    private static string Unit(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".service";
}
