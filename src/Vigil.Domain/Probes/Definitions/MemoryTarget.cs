namespace Vigil.Domain.Probes.Definitions;

/// <summary>What a memory probe measures: a systemd unit (its cgroup), a process named by a pid file, a
/// process id, or a cgroup v2 path.</summary>
public enum MemoryTarget { SystemdUnit, PidFile, Pid, Cgroup }
