using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Parsing;

internal sealed partial class ConfigBuilder
{
    private static readonly Dictionary<string, CheckKind> Kinds = new(StringComparer.Ordinal)
    {
        ["heartbeat"] = CheckKind.Heartbeat,
        ["probe"] = CheckKind.Probe,
    };

    private static readonly IReadOnlyDictionary<string, Severity> Severities = CheckSettings.Severities;

    private static readonly string[] ProbeOnlyKeys = ["probe", "warn_if", "critical_if", "unmeasurable"];

    private CheckLayers ReadDefaults(MappingReader root)
    {
        var template = new CheckDefinition { Name = CheckTemplate.PlaceholderName, ManagedBy = ManagedBy.Config };
        if (root.Read("defaults", CheckKeys.Defaults) is not { } r)
        {
            return new CheckLayers(template, null, null);
        }

        var definition = ApplyLayer(template, r, CheckScope.Defaults, selfName: null);
        ReportValidation(definition, r, [], r.Mapping);
        return new CheckLayers(definition, r, null);
    }

    private List<CheckLayers> ReadChecks(MappingReader root, CheckLayers defaults)
    {
        var checks = new List<CheckLayers>();
        var uuids = new Dictionary<Guid, string>();
        foreach (var (key, path, mapping) in NamedMappings(root, "checks", allowEmpty: true))
        {
            var r = new MappingReader(_problems, mapping, path, CheckKeys.Check);
            var definition = ApplyLayer(defaults.Definition with { Name = key.Value }, r, CheckScope.Check, selfName: key.Value);
            if (!CheckName.IsValid(key.Value))
            {
                _problems.Add(key, $"checks: {CheckName.Problem(key.Value)}");
            }

            if (definition.Uuid != Guid.Empty)
            {
                if (uuids.TryGetValue(definition.Uuid, out var other))
                {
                    _problems.Add(r.At("uuid"), $"{path}.uuid: the same uuid is already pinned by check '{other}'");
                }
                else
                {
                    uuids[definition.Uuid] = key.Value;
                }
            }

            ReportValidation(definition, r, defaults.Reader is { } dr ? [dr] : [], key);
            checks.Add(new CheckLayers(definition, r, key));
        }

        ReportDependencyCycles(checks);
        return checks;
    }

    private (string? Mode, Dictionary<string, ModeConfig> Modes) ReadModes(MappingReader root, List<CheckLayers> checks)
    {
        var modes = new Dictionary<string, ModeConfig>(StringComparer.Ordinal);
        var byName = checks.GroupBy(c => c.Definition.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (key, path, mapping) in NamedMappings(root, "modes", allowEmpty: true))
        {
            if (!CheckName.IsValid(key.Value))
            {
                _problems.Add(key, $"modes: {NameProblem(key.Value, "mode")}");
            }

            var r = new MappingReader(_problems, mapping, path, ["checks"]);
            var overrides = new Dictionary<string, CheckDefinition>(StringComparer.Ordinal);
            if (r.Map("checks") is { } checksMap)
            {
                foreach (var entry in checksMap.Entries)
                {
                    var overridePath = $"{path}.checks.{entry.Key.Value}";
                    if (!Reference(entry.Key, entry.Key.Value, $"{path}.checks", _checkNames, "check", "checks"))
                    {
                        continue;
                    }

                    if (Values.Mapping(entry.Value, overridePath, _problems) is not { } overrideMap || !byName.TryGetValue(entry.Key.Value, out var check))
                    {
                        continue;
                    }

                    var or = new MappingReader(_problems, overrideMap, overridePath, CheckKeys.ModeOverride);
                    var definition = ApplyLayer(check.Definition, or, CheckScope.ModeOverride, selfName: entry.Key.Value);
                    ReportValidation(definition, or, [], fallback: null);
                    overrides[entry.Key.Value] = definition;
                }
            }

            modes[key.Value] = new ModeConfig(key.Value) { Checks = overrides };
        }

        string? mode = null;
        if (root.Node("mode") is { } modeNode && Values.String(modeNode, "mode", _problems) is { } chosen)
        {
            mode = chosen;
            if (modes.Count == 0)
            {
                _problems.Add(modeNode, "mode: is set but no modes are declared (add them under modes:)");
            }
            else if (!modes.ContainsKey(chosen))
            {
                Reference((YScalar)modeNode, chosen, "mode", [.. modes.Keys], "mode", "modes");
            }
        }

        if (_env.TryGetValue("VIGIL_MODE", out var fromEnv) && !string.IsNullOrWhiteSpace(fromEnv))
        {
            mode = fromEnv.Trim();
            if (!modes.ContainsKey(mode))
            {
                var at = root.Key("modes") ?? root.Key("mode") ?? (YNode)root.Mapping;
                _problems.Add(at, $"the environment variable VIGIL_MODE names mode '{mode}', which is not declared under modes:{(modes.Count == 0 ? "" : $" (declared: {string.Join(", ", modes.Keys)})")}");
            }
        }
        else if (mode is null && modes.Count > 0)
        {
            _problems.Add(root.Key("modes")!, $"modes: are declared, so mode: must choose one of {string.Join(", ", modes.Keys)} (or set VIGIL_MODE)");
        }

        return (modes.Count == 0 && mode is null ? null : mode, modes);
    }

    /// <summary>Applies the keys of one mapping on top of <paramref name="definition"/>. Giving every (cron)
    /// in a layer replaces a cron (every) inherited from a lower one.</summary>
    private CheckDefinition ApplyLayer(CheckDefinition definition, MappingReader r, CheckScope scope, string? selfName)
    {
        var d = definition;
        if (r.Present("kind") && r.Choice("kind", Kinds) is { } kind)
        {
            d = d with { Kind = kind };
        }

        d = CheckSettings.Apply(d, new YamlCheckSettings(r));

        if (r.Present("depends_on"))
        {
            var dependsOn = References(r.Strings("depends_on"), r.Sub("depends_on"), _checkNames, "check", "checks");
            if (selfName is not null && dependsOn.Contains(selfName))
            {
                _problems.Add(r.At("depends_on"), $"{r.Sub("depends_on")}: a check cannot depend on itself");
                dependsOn.Remove(selfName);
            }

            d = d with { DependsOn = dependsOn };
        }

        if (r.Node("remediation") is { } remediationNode && Values.Scalar(remediationNode, r.Sub("remediation"), "the name of a remediation", _problems) is { } remediation)
        {
            if (Reference(remediation, remediation.Value, r.Sub("remediation"), _remediationNames, "remediation", "remediations"))
            {
                d = d with { Remediation = remediation.Value };
            }
        }

        return ReadProbeKeys(d, r, scope);
    }

    /// <summary>Maps <see cref="CheckDefinition.Validate"/> to positions. A field given in
    /// <paramref name="own"/> is reported there; one given in a lower layer was reported with that layer;
    /// one given nowhere is reported at <paramref name="fallback"/> (skipped when null).</summary>
    private void ReportValidation(CheckDefinition definition, MappingReader own, IReadOnlyList<MappingReader> lower, YNode? fallback)
    {
        foreach (var (field, message) in definition.Validate())
        {
            if (field == "name")
            {
                continue;
            }

            if (Locate(own, field) is { } node)
            {
                var shown = node is YScalar { FromEnvironment: true } s ? message.Replace($"'{s.Value}'", "the value", StringComparison.Ordinal) : message;
                _problems.Add(node, $"{own.Sub(field)}: {shown}");
            }
            else if (!lower.Any(l => Locate(l, field) is not null) && fallback is not null)
            {
                _problems.Add(fallback, $"{own.Sub(field)}: {message}");
            }
        }
    }

    private static YNode? Locate(MappingReader r, string field)
    {
        var parts = field.Split('.');
        YNode? node = r.Mapping;
        foreach (var part in parts)
        {
            node = node is YMapping m ? m.Find(part)?.Value : null;
        }

        return node;
    }

    private void ReportDependencyCycles(List<CheckLayers> checks)
    {
        var graph = checks.GroupBy(c => c.Definition.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            var stack = new List<string>();
            Visit(check.Definition.Name);

            void Visit(string name)
            {
                if (done.Contains(name) || !graph.TryGetValue(name, out var node))
                {
                    return;
                }

                var at = stack.IndexOf(name);
                if (at >= 0)
                {
                    var cycle = string.Join(" → ", stack.Skip(at).Append(name));
                    var reader = graph[stack[^1]].Reader!;
                    _problems.Add(reader.At("depends_on"), $"{reader.Sub("depends_on")}: depends_on makes a cycle: {cycle}");
                    return;
                }

                stack.Add(name);
                foreach (var dependency in node.Definition.DependsOn)
                {
                    Visit(dependency);
                }

                stack.RemoveAt(stack.Count - 1);
                done.Add(name);
            }
        }
    }
}
