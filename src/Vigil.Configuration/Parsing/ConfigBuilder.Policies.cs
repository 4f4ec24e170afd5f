using System.Security.Cryptography;
using System.Text;
using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;
using Vigil.Domain.Security;

namespace Vigil.Configuration.Parsing;

internal sealed partial class ConfigBuilder
{
    private static readonly string[] RemediationKeys = ["steps"];
    private static readonly string[] StepKinds = ["run", "notify", "wait"];
    private static readonly string[] RunStepKeys = ["run", "attempts", "spacing", "timeout"];
    private static readonly string[] BreakerKeys =
    [
        "failure_threshold", "failure_rate", "min_calls", "window", "open_for", "backoff", "max_open_for",
        "half_open_probes", "probe_ttl", "severity",
    ];

    private static readonly string[] GateKeys = ["checks", "max_level", "breakers", "start_closed"];
    private static readonly string[] GateCheckKeys = ["names", "tags"];
    private static readonly string[] ApiKeyKeys = ["name", "scope", "key", "key_sha256"];

    private static readonly Dictionary<string, Level> Levels = new(StringComparer.Ordinal)
    {
        ["ok"] = Level.Ok,
        ["warning"] = Level.Warning,
        ["critical"] = Level.Critical,
    };

    private static readonly Dictionary<string, Scope> Scopes = new(StringComparer.Ordinal)
    {
        ["ping"] = Scope.Ping,
        ["read"] = Scope.Read,
        ["write"] = Scope.Write,
        ["admin"] = Scope.Admin,
    };

    private Dictionary<string, RemediationConfig> ReadRemediations(MappingReader root)
    {
        var remediations = new Dictionary<string, RemediationConfig>(StringComparer.Ordinal);
        foreach (var (key, path, mapping) in NamedMappings(root, "remediations"))
        {
            var r = new MappingReader(_problems, mapping, path, RemediationKeys);
            r.Required("steps", "what to do, in order: run, notify, wait");
            var steps = new List<RemediationStep>();
            foreach (var (fullPath, s) in ListOfMappings(r, "steps", [.. RunStepKeys, "notify", "wait"]))
            {
                var given = StepKinds.Where(s.Present).ToList();
                if (given.Count != 1)
                {
                    _problems.Add(given.Count == 0 ? s.Mapping : s.Key(given[1])!, $"{fullPath}: give exactly one of run, notify or wait");
                    continue;
                }

                if (given[0] != "run")
                {
                    foreach (var extra in RunStepKeys.Skip(1).Where(s.Present))
                    {
                        _problems.Add(s.Key(extra)!, $"{fullPath}: {extra} belongs to a run step");
                    }
                }

                RemediationStep? built = given[0] switch
                {
                    "run" => ReadRunStep(s),
                    "notify" => new NotifyStep(References(s.Strings("notify"), s.Sub("notify"), _receiverNames, "receiver", "receivers")),
                    _ => s.PositiveDuration("wait") is { } wait ? new WaitStep(wait) : null,
                };
                if (built is not null)
                {
                    steps.Add(built);
                }
            }

            remediations[key.Value] = new RemediationConfig(key.Value, steps);
        }

        return remediations;
    }

    private RunStep? ReadRunStep(MappingReader s)
    {
        var attempts = s.Int("attempts", min: 1);
        var spacing = s.Duration("spacing");
        var timeout = s.PositiveDuration("timeout");
        if (s.Node("run") is not { } node)
        {
            return null;
        }

        if (node is not YSequence)
        {
            _problems.Add(node, $"{s.Sub("run")}: expected a list (the program and its arguments, run without a shell), found {Values.Found(node)}");
            return null;
        }

        var command = s.Strings("run")?.Select(c => c.Value).ToList() ?? [];
        if (command.Count == 0 || string.IsNullOrWhiteSpace(command[0]))
        {
            _problems.Add(node, $"{s.Sub("run")}: give the program to run and its arguments");
            return null;
        }

        return new RunStep(command)
        {
            Attempts = attempts ?? 1,
            Spacing = spacing ?? TimeSpan.Zero,
            Timeout = timeout ?? RunStep.DefaultTimeout,
        };
    }

    private Dictionary<string, BreakerConfig> ReadBreakers(MappingReader root)
    {
        var breakers = new Dictionary<string, BreakerConfig>(StringComparer.Ordinal);
        foreach (var (key, path, mapping) in NamedMappings(root, "breakers", allowEmpty: true))
        {
            var r = new MappingReader(_problems, mapping, path, BreakerKeys);
            var breaker = new BreakerConfig(key.Value);
            if (r.Present("failure_threshold") && r.Present("failure_rate"))
            {
                _problems.Add(r.Key("failure_rate")!, $"{path}: give either failure_threshold or failure_rate, not both");
            }

            foreach (var rateOnly in new[] { "min_calls", "window" }.Where(k => r.Present(k) && !r.Present("failure_rate")))
            {
                _problems.Add(r.Key(rateOnly)!, $"{path}.{rateOnly}: only used with failure_rate");
            }

            var rate = r.Number("failure_rate", 0.0, 1.0);
            if (rate is 0.0)
            {
                _problems.Add(r.At("failure_rate"), $"{path}.failure_rate: must be more than 0");
            }

            breaker = breaker with
            {
                FailureThreshold = r.Present("failure_rate") ? null : r.Int("failure_threshold", min: 1) ?? breaker.FailureThreshold,
                FailureRate = rate,
                MinCalls = r.Int("min_calls", min: 1) ?? breaker.MinCalls,
                Window = r.PositiveDuration("window") ?? breaker.Window,
                OpenFor = r.PositiveDuration("open_for") ?? breaker.OpenFor,
                Backoff = r.Number("backoff", 1.0, 100.0) ?? breaker.Backoff,
                MaxOpenFor = r.PositiveDuration("max_open_for") ?? breaker.MaxOpenFor,
                HalfOpenProbes = r.Int("half_open_probes", min: 1) ?? breaker.HalfOpenProbes,
                ProbeTtl = r.PositiveDuration("probe_ttl") ?? breaker.ProbeTtl,
                Severity = r.Choice("severity", Severities) ?? breaker.Severity,
            };
            if (breaker.MaxOpenFor < breaker.OpenFor)
            {
                _problems.Add(r.At("max_open_for"), $"{path}.max_open_for: must not be shorter than open_for");
            }

            breakers[key.Value] = breaker;
        }

        return breakers;
    }

    private Dictionary<string, GateConfig> ReadGates(MappingReader root)
    {
        var gates = new Dictionary<string, GateConfig>(StringComparer.Ordinal);
        foreach (var (key, path, mapping) in NamedMappings(root, "gates", allowEmpty: true))
        {
            if (!CheckName.IsValid(key.Value))
            {
                _problems.Add(key, $"gates: {NameProblem(key.Value, "gate")}");
            }

            var r = new MappingReader(_problems, mapping, path, GateKeys);
            var gate = new GateConfig(key.Value);
            if (r.Node("checks") is YSequence)
            {
                gate = gate with { CheckNames = References(r.Strings("checks"), r.Sub("checks"), _checkNames, "check", "checks") };
            }
            else if (r.Read("checks", GateCheckKeys) is { } cr)
            {
                gate = gate with
                {
                    CheckNames = References(cr.Strings("names"), cr.Sub("names"), _checkNames, "check", "checks"),
                    CheckTags = [.. (cr.Strings("tags") ?? []).Select(t => t.Value)],
                };
            }

            gates[key.Value] = gate with
            {
                MaxLevel = r.Choice("max_level", Levels) ?? Level.Ok,
                Breakers = References(r.Strings("breakers"), r.Sub("breakers"), _breakerNames, "breaker", "breakers"),
                StartClosed = r.Bool("start_closed") ?? false,
            };
        }

        return gates;
    }

    private List<ConfigApiKey> ReadApiKeys(MappingReader root)
    {
        var keys = new List<ConfigApiKey>();
        var names = new Dictionary<string, YScalar>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, r) in ListOfMappings(root, "api_keys", ApiKeyKeys))
        {
            r.Required("name", "a name for the key");
            r.Required("scope", "ping, read, write or admin");
            var name = r.String("name");
            var scope = r.Choice("scope", Scopes);
            var plain = r.String("key", secret: true);
            var hash = r.String("key_sha256", secret: true)?.Trim().ToLowerInvariant();
            if (r.Present("key") == r.Present("key_sha256"))
            {
                _problems.Add(r.Present("key") ? r.Key("key_sha256")! : r.Mapping, $"{path}: give exactly one of key (the key itself) or key_sha256 (its SHA-256 in hex)");
            }

            if (plain is not null && plain.Length < 16)
            {
                _problems.Add(r.At("key"), $"{path}.key: the value is too short to be a key; use at least 16 characters");
                plain = null;
            }

            if (hash is not null && (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit)))
            {
                _problems.Add(r.At("key_sha256"), $"{path}.key_sha256: the value is not a SHA-256 hash (64 hex digits)");
                hash = null;
            }

            var sha = plain is not null ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plain))) : hash;
            if (name is not null && names.TryGetValue(name, out var first))
            {
                _problems.Add(r.At("name"), $"{path}.name: '{name}' is already used by the key at line {first.Line}");
                continue;
            }

            if (name is not null)
            {
                names[name] = (YScalar)r.At("name");
            }

            if (sha is not null && hashes.TryGetValue(sha, out var sameAs))
            {
                _problems.Add(r.At(plain is not null ? "key" : "key_sha256"), $"{path}: the same key is already declared as '{sameAs}'");
                continue;
            }

            if (name is not null && scope is { } s && sha is not null)
            {
                hashes[sha] = name;
                keys.Add(new ConfigApiKey(name, s, sha));
            }
        }

        return keys;
    }
}
