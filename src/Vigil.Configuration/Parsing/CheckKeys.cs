namespace Vigil.Configuration.Parsing;

/// <summary>The check keys each part of the file accepts.</summary>
internal static class CheckKeys
{
    public static readonly string[] Check =
    [
        "kind", "uuid", "every", "cron", "tz", "grace", "max_runtime", "min_interval", "max_data_age", "fail_after",
        "recover_after", "flapping", "severity", "tags", "description", "runbook", "paused", "manual_resume",
        "concurrency", "depends_on", "remediation", "keywords", "probe", "warn_if", "critical_if", "unmeasurable",
    ];

    /// <summary>Settings that make sense for every check; not identity (uuid, kind, description), schedule,
    /// dependencies or probe definitions.</summary>
    public static readonly string[] Defaults =
    [
        "tz", "grace", "max_runtime", "min_interval", "max_data_age", "fail_after", "recover_after", "flapping",
        "severity", "tags", "runbook", "manual_resume", "concurrency", "remediation", "keywords", "unmeasurable",
    ];

    public static readonly string[] AutoCreate = [.. Defaults, "every", "cron", "description", "paused"];

    public static readonly string[] ModeOverride = [.. Check.Where(k => k is not "kind" and not "uuid" and not "probe")];

    public static readonly string[] ProbeKinds = ["http", "tcp", "tls", "file", "sql", "redis", "ntp", "http_time", "memory", "command", "prometheus"];

    /// <summary>The keys of each probe kind (spec/config.md, "Probes: every kind and its keys"); every kind takes timeout.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ProbeKeys = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["http"] = ["url", "method", "headers", "body", "expect_status", "expect_body", "json", "value", "tls_verify", "ca_file", "timeout"],
        ["tcp"] = ["host", "port", "timeout"],
        ["tls"] = ["host", "port", "server_name", "ca_file", "tls_verify", "timeout"],
        ["file"] = ["path", "json", "regex", "value", "timeout"],
        ["sql"] = ["sqlite", "postgres", "query", "value", "timeout"],
        ["redis"] = ["connection", "get", "hget", "xlen", "llen", "value", "timeout"],
        ["ntp"] = ["servers", "timeout"],
        ["http_time"] = ["url", "json", "unit", "timeout"],
        ["memory"] = ["systemd_unit", "pid_file", "pid", "cgroup", "timeout"],
        ["command"] = ["run", "timeout"],
        ["prometheus"] = ["url", "query", "timeout"],
    };

    public static IReadOnlyList<string> For(CheckScope scope) => scope switch
    {
        CheckScope.Defaults => Defaults,
        CheckScope.AutoCreate => AutoCreate,
        CheckScope.ModeOverride => ModeOverride,
        _ => Check,
    };
}
