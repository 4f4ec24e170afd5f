using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using YamlDotNet.Core;

namespace Vigil.Configuration.Parsing;

/// <summary>The <c>probe:</c> mapping of a probe check, one reader per kind, and its conditions. Every key of
/// spec/config.md is read into a typed <see cref="ProbeDefinition"/>; unknown keys, wrong types and missing
/// required keys are problems at their position.</summary>
internal sealed partial class ConfigBuilder
{
    private static readonly Dictionary<string, Level> UnmeasurableLevels = new(StringComparer.Ordinal)
    {
        ["critical"] = Level.Critical,
        ["warning"] = Level.Warning,
    };

    private static readonly Dictionary<string, ValueKind> ReadValues = new(StringComparer.Ordinal)
    {
        ["timestamp"] = ValueKind.Timestamp,
        ["number"] = ValueKind.Number,
    };

    private static readonly Dictionary<string, ValueKind> SqlValues = new(StringComparer.Ordinal)
    {
        ["timestamp"] = ValueKind.Timestamp,
        ["number"] = ValueKind.Number,
        ["rows"] = ValueKind.Rows,
    };

    private static readonly Dictionary<string, TimeUnit> TimeUnits = new(StringComparer.Ordinal)
    {
        ["s"] = TimeUnit.Seconds,
        ["ms"] = TimeUnit.Milliseconds,
    };

    // Probes are observational: methods that by definition change the resource are refused; POST stays
    // for RPC-style health endpoints.
    private static readonly string[] HttpMethods = ["GET", "HEAD", "POST", "OPTIONS"];

    private static readonly Dictionary<string, MemoryTarget> MemoryTargets = new(StringComparer.Ordinal)
    {
        ["systemd_unit"] = MemoryTarget.SystemdUnit,
        ["pid_file"] = MemoryTarget.PidFile,
        ["pid"] = MemoryTarget.Pid,
        ["cgroup"] = MemoryTarget.Cgroup,
    };

    private static readonly Dictionary<string, RedisCommand> RedisCommands = new(StringComparer.Ordinal)
    {
        ["get"] = RedisCommand.Get,
        ["hget"] = RedisCommand.HGet,
        ["xlen"] = RedisCommand.XLen,
        ["llen"] = RedisCommand.LLen,
    };

    [GeneratedRegex(@"^([1-5])xx$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusClass();

    /// <summary>Reads <c>probe</c>, <c>warn_if</c>, <c>critical_if</c> and <c>unmeasurable</c> of one layer.</summary>
    private CheckDefinition ReadProbeKeys(CheckDefinition d, MappingReader r, CheckScope scope)
    {
        if (scope is CheckScope.Check or CheckScope.ModeOverride && d.Kind != CheckKind.Probe)
        {
            foreach (var key in ProbeOnlyKeys.Where(r.Present))
            {
                _problems.Add(r.Key(key)!, $"{r.Sub(key)}: only checks with kind: probe take {key}");
            }

            return d;
        }

        if (scope == CheckScope.Check && d.Kind == CheckKind.Probe && !r.Present("probe"))
        {
            _problems.Add(r.Mapping, $"{r.Path}: missing probe (what Vigil should measure: {string.Join(", ", CheckKeys.ProbeKinds)})");
        }

        if (scope == CheckScope.Check && r.Read("probe", CheckKeys.ProbeKinds) is { } pr)
        {
            var given = CheckKeys.ProbeKinds.Where(pr.Present).ToList();
            if (given.Count != 1)
            {
                _problems.Add(given.Count == 0 ? pr.Mapping : pr.Key(given[1])!, $"{pr.Path}: give exactly one of {string.Join(", ", CheckKeys.ProbeKinds)}");
            }

            foreach (var kind in given)
            {
                var probe = ReadProbe(pr, kind);
                if (given.Count == 1 && probe is not null)
                {
                    d = d with { Probe = probe };
                }
            }
        }

        if (scope is CheckScope.Check or CheckScope.ModeOverride)
        {
            if (r.Present("warn_if"))
            {
                d = d with { WarnIf = ReadCondition(r, "warn_if") };
            }

            if (r.Present("critical_if"))
            {
                d = d with { CriticalIf = ReadCondition(r, "critical_if") };
            }
        }

        return d with { Unmeasurable = r.Choice("unmeasurable", UnmeasurableLevels) ?? d.Unmeasurable };
    }

    private Condition? ReadCondition(MappingReader r, string key)
    {
        if (Values.Scalar(r.At(key), r.Sub(key), "a condition such as \"age > 10m\"", _problems) is not { } s)
        {
            return null;
        }

        if (ConditionParser.TryParse(s.Value, out var condition, out var error))
        {
            return condition;
        }

        var message = error.Message;
        if (message.StartsWith("unknown quantity", StringComparison.Ordinal))
        {
            var name = s.Value.Trim().Split(' ', '<', '>', '=', '!')[0];
            message += Suggestions.DidYouMean(name, Quantity.All);
        }

        AddWithin(s, error.Index, $"{r.Sub(key)}: {message} (in {Values.Show(s, false)})");
        return null;
    }

    /// <summary>Reports a problem at a character inside a single-line scalar, so the column points at the part
    /// that is wrong rather than at the start of the value.</summary>
    private void AddWithin(YScalar s, int index, string message)
    {
        var exact = !s.FromEnvironment && s.Style is ScalarStyle.Plain or ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            && !s.Value.Contains('\n', StringComparison.Ordinal) && !s.Value.Contains('\\', StringComparison.Ordinal) && !s.Value.Contains('\'', StringComparison.Ordinal);
        var column = exact ? s.Column + (s.Style == ScalarStyle.Plain ? 0 : 1) + index : s.Column;
        _problems.Add(s.Line, column, message);
    }

    private ProbeDefinition? ReadProbe(MappingReader parent, string kind)
    {
        if (parent.Read(kind, CheckKeys.ProbeKeys[kind]) is not { } r)
        {
            if (parent.Node(kind) is YScalar { IsNull: true } empty)
            {
                _problems.Add(empty, $"{parent.Sub(kind)}: has no keys; give at least {RequiredOf(kind)}");
            }

            return null;
        }

        var before = _problems.Count;
        var timeout = r.PositiveDuration("timeout") ?? ProbeDefinition.DefaultTimeout;
        ProbeDefinition? probe = kind switch
        {
            "http" => ReadHttp(r),
            "tcp" => ReadTcp(r),
            "tls" => ReadTls(r),
            "file" => ReadFile(r),
            "sql" => ReadSql(r),
            "redis" => ReadRedis(r),
            "ntp" => ReadNtp(r),
            "http_time" => ReadHttpTime(r),
            "memory" => ReadMemory(r),
            "command" => ReadCommand(r),
            _ => ReadPrometheus(r),
        };
        return _problems.Count == before ? probe! with { Timeout = timeout } : null;
    }

    private static string RequiredOf(string kind) => kind switch
    {
        "http" or "http_time" => "url",
        "tcp" => "host and port",
        "tls" => "host",
        "file" => "path",
        "sql" => "sqlite or postgres, and query",
        "redis" => "connection and one of get, hget, xlen, llen",
        "ntp" => "servers",
        "memory" => "one of systemd_unit, pid_file, pid, cgroup",
        "command" => "run",
        _ => "url and query",
    };

    private HttpProbeDefinition? ReadHttp(MappingReader r)
    {
        r.Required("url", "the URL to request");
        var url = r.Url("url");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (r.Map("headers") is { } hm)
        {
            foreach (var (name, headerValue) in hm.Entries)
            {
                if (name.Value.Length == 0 || name.Value.Any(c => c <= ' ' || c == ':' || c > '~'))
                {
                    _problems.Add(name, $"{r.Sub("headers")}: '{name.Value}' is not an HTTP header name");
                }
                else if (Values.String(headerValue, $"{r.Sub("headers")}.{name.Value}", _problems, secret: true) is { } v)
                {
                    headers[name.Value] = v;
                }
            }
        }

        var json = ReadJsonPath(r, "json");
        var value = r.Choice("value", ReadValues);
        if (value is not null && !r.Present("json"))
        {
            _problems.Add(r.Key("value")!, $"{r.Sub("value")}: applies to the value json: reads from the body; add json: (a JSONPath such as $.updated_at)");
        }

        // Every key is read (and so checked) before deciding whether a definition can be built.
        var method = ReadMethod(r);
        var body = r.String("body");
        var expectStatus = ReadExpectStatus(r);
        var expectBody = ReadRegex(r, "expect_body");
        var tlsVerify = r.Bool("tls_verify") ?? true;
        var caFile = r.String("ca_file") is { } ca ? ResolvePath(ca) : null;
        return url is null ? null : new HttpProbeDefinition
        {
            Url = url,
            Method = method,
            Headers = headers,
            Body = body,
            ExpectStatus = expectStatus,
            ExpectBody = expectBody,
            Json = json,
            Value = value ?? ValueKind.Number,
            TlsVerify = tlsVerify,
            CaFile = caFile,
        };
    }

    private string ReadMethod(MappingReader r)
    {
        var method = r.String("method");
        if (method is null || HttpMethods.Contains(method))
        {
            return method ?? "GET";
        }

        _problems.Add(r.At("method"), $"{r.Sub("method")}: '{method}' is not one of {string.Join(", ", HttpMethods)}; probes only observe, so methods that change what they reach are refused");
        return "GET";
    }

    private List<StatusRange>? ReadExpectStatus(MappingReader r)
    {
        if (r.Node("expect_status") is not { } node)
        {
            return null;
        }

        var items = node is YSequence seq ? seq.Items : [node];
        var ranges = new List<StatusRange>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = node is YSequence ? $"{r.Sub("expect_status")}[{i}]" : r.Sub("expect_status");
            if (Values.Scalar(items[i], path, "a status such as 200 or 2xx", _problems) is not { } s)
            {
                continue;
            }

            if (int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
            {
                ranges.Add(new StatusRange(code, code));
            }
            else if (StatusClass().Match(s.Value) is { Success: true } m)
            {
                var hundred = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 100;
                ranges.Add(new StatusRange(hundred, hundred + 99));
            }
            else
            {
                _problems.Add(s, $"{path}: {Values.Show(s, false)} is not an HTTP status (100 to 599) nor a class such as 2xx");
            }
        }

        if (node is YSequence { Items.Count: 0 })
        {
            _problems.Add(node, $"{r.Sub("expect_status")}: the list is empty; give at least one status");
        }

        return ranges;
    }

    private TcpProbeDefinition? ReadTcp(MappingReader r)
    {
        r.Required("host", "the host to connect to");
        r.Required("port", "the TCP port");
        var host = ReadHost(r, "host");
        var port = r.Int("port", 1, 65535);
        return host is null || port is null ? null : new TcpProbeDefinition { Host = host, Port = port.Value };
    }

    private TlsProbeDefinition? ReadTls(MappingReader r)
    {
        r.Required("host", "the host whose certificate is checked");
        var host = ReadHost(r, "host");
        var port = r.Int("port", 1, 65535) ?? TlsProbeDefinition.DefaultPort;
        var serverName = ReadHost(r, "server_name");
        var caFile = r.String("ca_file") is { } ca ? ResolvePath(ca) : null;
        var tlsVerify = r.Bool("tls_verify") ?? true;
        return host is null ? null : new TlsProbeDefinition { Host = host, Port = port, ServerName = serverName, CaFile = caFile, TlsVerify = tlsVerify };
    }

    private FileProbeDefinition? ReadFile(MappingReader r)
    {
        r.Required("path", "the file to read");
        var path = r.String("path");
        var json = ReadJsonPath(r, "json");
        var regex = ReadRegex(r, "regex");
        if (r.Present("json") && r.Present("regex"))
        {
            _problems.Add(r.Key("regex")!, $"{r.Sub("regex")}: give either json or regex, not both");
        }

        var value = r.Choice("value", ReadValues);
        if (value is not null && !r.Present("json") && !r.Present("regex"))
        {
            _problems.Add(r.Key("value")!, $"{r.Sub("value")}: applies to what json: or regex: reads; without them the age of the file's modification time is measured");
        }

        return path is null ? null : new FileProbeDefinition { Path = ResolvePath(path), Json = json, Regex = regex, Value = value ?? ValueKind.Number };
    }

    private SqlProbeDefinition? ReadSql(MappingReader r)
    {
        if (r.Present("sqlite") == r.Present("postgres"))
        {
            _problems.Add(r.Present("postgres") ? r.Key("postgres")! : r.Mapping, $"{r.Path}: give exactly one of sqlite (a database file) or postgres (a connection string)");
        }

        r.Required("query", "one SQL query; its first row's first column is the value");
        var sqlite = r.String("sqlite");
        var postgres = r.String("postgres", secret: true);
        var query = r.String("query");
        if (query is not null && string.IsNullOrWhiteSpace(query))
        {
            _problems.Add(r.At("query"), $"{r.Sub("query")}: is empty");
        }

        var value = r.Choice("value", SqlValues) ?? ValueKind.Number;
        return query is null ? null : new SqlProbeDefinition
        {
            Sqlite = sqlite is null ? null : ResolvePath(sqlite),
            Postgres = postgres,
            Query = query,
            Value = value,
        };
    }

    private RedisProbeDefinition? ReadRedis(MappingReader r)
    {
        r.Required("connection", "host:port, with options such as password=… after commas");
        var connection = r.String("connection", secret: true);
        var commands = RedisCommands.Keys.Where(r.Present).ToList();
        if (commands.Count != 1)
        {
            _problems.Add(commands.Count == 0 ? r.Mapping : r.Key(commands[1])!, $"{r.Path}: give exactly one of get: KEY, hget: [KEY, FIELD], xlen: KEY, llen: KEY");
        }

        string? key = null;
        string? field = null;
        var command = commands.Count > 0 ? RedisCommands[commands[0]] : RedisCommand.Get;
        if (command == RedisCommand.HGet)
        {
            var pair = r.Node("hget") is YSequence ? r.Strings("hget") : null;
            if (pair is not { Count: 2 })
            {
                _problems.Add(r.At("hget"), $"{r.Sub("hget")}: give [KEY, FIELD], a list of two");
            }
            else
            {
                (key, field) = (pair[0].Value, pair[1].Value);
            }
        }
        else if (commands.Count > 0)
        {
            key = r.String(commands[0]);
        }

        var value = r.Choice("value", ReadValues);
        if (value == ValueKind.Timestamp && command is RedisCommand.XLen or RedisCommand.LLen)
        {
            _problems.Add(r.At("value"), $"{r.Sub("value")}: {commands[0]} measures a length, which is a number, not a timestamp");
        }

        return connection is null || key is null ? null : new RedisProbeDefinition
        {
            Connection = connection,
            Command = command,
            Key = key,
            Field = field,
            Value = value ?? ValueKind.Number,
        };
    }

    private NtpProbeDefinition? ReadNtp(MappingReader r)
    {
        r.Required("servers", "NTP servers tried in order, as host or host:port");
        var servers = new List<HostPort>();
        foreach (var (node, text) in r.Strings("servers") ?? [])
        {
            if (HostPort.TryParse(text, NtpProbeDefinition.DefaultPort, out var server, out var error))
            {
                servers.Add(server);
            }
            else
            {
                _problems.Add(node, $"{r.Sub("servers")}: {error}");
            }
        }

        if (r.Present("servers") && servers.Count == 0 && r.Node("servers") is YSequence { Items.Count: 0 })
        {
            _problems.Add(r.At("servers"), $"{r.Sub("servers")}: the list is empty; give at least one server");
        }

        return servers.Count == 0 ? null : new NtpProbeDefinition { Servers = servers };
    }

    private HttpTimeProbeDefinition? ReadHttpTime(MappingReader r)
    {
        r.Required("url", "the URL whose time is compared with Vigil's");
        var url = r.Url("url");
        var json = ReadJsonPath(r, "json");
        var unit = r.Choice("unit", TimeUnits);
        if (unit is not null && !r.Present("json"))
        {
            _problems.Add(r.Key("unit")!, $"{r.Sub("unit")}: applies to an epoch number read by json:; the Date header has its own format");
        }

        return url is null ? null : new HttpTimeProbeDefinition { Url = url, Json = json, Unit = unit };
    }

    private MemoryProbeDefinition? ReadMemory(MappingReader r)
    {
        var given = MemoryTargets.Keys.Where(r.Present).ToList();
        if (given.Count != 1)
        {
            _problems.Add(given.Count == 0 ? r.Mapping : r.Key(given[1])!, $"{r.Path}: give exactly one of systemd_unit, pid_file, pid, cgroup");
            return null;
        }

        var target = MemoryTargets[given[0]];
        string? of = target switch
        {
            MemoryTarget.Pid => r.Int("pid", 1)?.ToString(CultureInfo.InvariantCulture),
            MemoryTarget.PidFile => r.String("pid_file") is { } file ? ResolvePath(file) : null,
            _ => r.String(given[0]),
        };
        if (of is not null && target is MemoryTarget.SystemdUnit && (of.Contains('/', StringComparison.Ordinal) || of.Length == 0))
        {
            _problems.Add(r.At("systemd_unit"), $"{r.Sub("systemd_unit")}: '{of}' is not a unit name such as worker.service");
        }

        return of is null ? null : new MemoryProbeDefinition { Target = target, Of = of };
    }

    private CommandProbeDefinition? ReadCommand(MappingReader r)
    {
        r.Required("run", "the command as a list: [program, argument, …]; no shell is used");
        if (r.Node("run") is YScalar { IsNull: false } single && single.Value.Trim().Contains(' ', StringComparison.Ordinal))
        {
            _problems.Add(single, $"{r.Sub("run")}: give the command as a list of arguments, such as [\"/usr/lib/nagios/plugins/check_disk\", \"-w\", \"10%\"]; Vigil runs it without a shell, so one string with spaces would be one program name");
            return null;
        }

        var run = r.Strings("run")?.Select(a => a.Value).ToList();
        if (run is { Count: 0 } || (run is { Count: > 0 } && string.IsNullOrWhiteSpace(run[0])))
        {
            _problems.Add(r.At("run"), $"{r.Sub("run")}: give at least the program to run");
            return null;
        }

        return run is null ? null : new CommandProbeDefinition { Run = run };
    }

    private PrometheusProbeDefinition? ReadPrometheus(MappingReader r)
    {
        r.Required("url", "the Prometheus server, such as http://prometheus:9090");
        r.Required("query", "a PromQL expression that returns one sample");
        var url = r.Url("url");
        var query = r.String("query");
        return url is null || query is null ? null : new PrometheusProbeDefinition { Url = url, Query = query };
    }

    private string? ReadHost(MappingReader r, string key)
    {
        var host = r.String(key);
        if (host is not null && (host.Length == 0 || host.Any(char.IsWhiteSpace) || host.Contains('/', StringComparison.Ordinal)))
        {
            _problems.Add(r.At(key), $"{r.Sub(key)}: '{host}' is not a host name or address");
            return null;
        }

        return host;
    }

    private string? ReadJsonPath(MappingReader r, string key)
    {
        if (r.Node(key) is not { } node || Values.Scalar(node, r.Sub(key), "a JSONPath such as $.token.created_at", _problems) is not { } s)
        {
            return null;
        }

        if (JsonPath.TryParse(s.Value, out _, out var error))
        {
            return s.Value;
        }

        AddWithin(s, error.Index, $"{r.Sub(key)}: {error.Message} (supported: $, .name, ['name'], [index])");
        return null;
    }

    private string? ReadRegex(MappingReader r, string key)
    {
        if (r.String(key) is not { } pattern)
        {
            return null;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return pattern;
        }
        catch (ArgumentException ex)
        {
            _problems.Add(r.At(key), $"{r.Sub(key)}: not a regular expression: {ex.Message}");
            return null;
        }
    }
}
