namespace Vigil.Probes;

/// <summary>Where the machine-facing probes look. Tests point them at a fake tree; production keeps the defaults.</summary>
public sealed record ProbeOptions
{
    public static readonly ProbeOptions Default = new();

    /// <summary>The cgroup v2 hierarchy. The default value is /sys/fs/cgroup.</summary>
    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    /// <summary>procfs. The default value is /proc.</summary>
    public string ProcRoot { get; init; } = "/proc";
}
