using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using Vigil.Configuration.Parsing;

namespace Vigil.Configuration.Yaml;

/// <summary>Builds a position-keeping tree from YamlDotNet's parser events. YamlDotNet's own representation
/// model stops at the first duplicate key; this reader reports every duplicate and keeps going. Scalar values
/// (never keys) get environment substitution; anchors, aliases and merge keys (<c>&lt;&lt;</c>) work.</summary>
internal sealed class YamlTreeReader
{
    private const string MergeKey = "<<";
    private readonly IParser _parser;
    private readonly IReadOnlyDictionary<string, string?> _env;
    private readonly Problems _problems;
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<Mark> _openFlowCollections = new();
    private Mark _lastGood = Mark.Empty;

    private YamlTreeReader(IParser parser, IReadOnlyDictionary<string, string?> env, Problems problems)
    {
        _parser = parser;
        _env = env;
        _problems = problems;
    }

    /// <summary>The root node, or null for an empty file or when the YAML itself is broken (reported).</summary>
    public static YNode? Read(string text, IReadOnlyDictionary<string, string?> env, Problems problems)
    {
        var reader = new YamlTreeReader(new Parser(new StringReader(text)), env, problems);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException ex)
        {
            problems.Add((int)ex.Start.Line, (int)ex.Start.Column, $"this is not valid YAML: {Clean(ex.Message)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner sometimes fails this way (for example on a flow list left open at the end of
            // the file); point at the innermost [ or { still open, else at the last place that parsed.
            var at = reader._openFlowCollections.Count > 0 ? reader._openFlowCollections.Peek() : reader._lastGood;
            problems.Add(Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column), "this is not valid YAML from here on; is a [, { or quote left unclosed?");
            return null;
        }
    }

    private static string Clean(string message)
    {
        var m = message;
        var marker = m.IndexOf("): ", StringComparison.Ordinal);
        if (m.StartsWith('(') && marker > 0)
        {
            m = m[(marker + 3)..];
        }

        m = m.TrimEnd('.');
        return m.Length > 1 && char.IsUpper(m[0]) && char.IsLower(m[1]) ? char.ToLowerInvariant(m[0]) + m[1..] : m;
    }

    private YNode? ReadStream()
    {
        _parser.Consume<StreamStart>();
        YNode? root = null;
        var documents = 0;
        while (_parser.TryConsume<DocumentStart>(out var start))
        {
            documents++;
            if (documents == 2)
            {
                _problems.Add((int)start.Start.Line, (int)start.Start.Column, "the file holds more than one YAML document; put everything in one");
            }

            var node = ReadNode(isKey: false);
            _parser.Consume<DocumentEnd>();
            root ??= node;
        }

        _parser.Consume<StreamEnd>();
        return root;
    }

    private YNode ReadNode(bool isKey)
    {
        var ev = _parser.Current ?? throw new YamlException("unexpected end of the file");
        _lastGood = ev.Start;
        switch (ev)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    return target;
                }

                _problems.Add((int)alias.Start.Line, (int)alias.Start.Column, $"the alias *{alias.Value.Value} names no anchor defined before it");
                return new YScalar((int)alias.Start.Line, (int)alias.Start.Column, "", ScalarStyle.Plain, false);
            case Scalar scalar:
                _parser.MoveNext();
                return Remember(scalar, ReadScalar(scalar, isKey));
            case SequenceStart start:
                _parser.MoveNext();
                var sequence = new YSequence((int)start.Start.Line, (int)start.Start.Column);
                Remember(start, sequence);
                Open(start.Style == SequenceStyle.Flow, start.Start);
                while (!_parser.TryConsume<SequenceEnd>(out _))
                {
                    sequence.Items.Add(ReadNode(isKey: false));
                }

                Close(start.Style == SequenceStyle.Flow);
                return sequence;
            case MappingStart start:
                _parser.MoveNext();
                var mapping = new YMapping((int)start.Start.Line, (int)start.Start.Column);
                Remember(start, mapping);
                Open(start.Style == MappingStyle.Flow, start.Start);
                ReadMapping(mapping);
                Close(start.Style == MappingStyle.Flow);
                return mapping;
            default:
                throw new YamlException(ev.Start, ev.End, $"unexpected {ev.GetType().Name}");
        }
    }

    private void Open(bool flow, Mark start)
    {
        if (flow)
        {
            _openFlowCollections.Push(start);
        }
    }

    private void Close(bool flow)
    {
        if (flow)
        {
            _openFlowCollections.Pop();
        }
    }

    private void ReadMapping(YMapping mapping)
    {
        var merged = new List<YMapping>();
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(isKey: true);
            var value = ReadNode(isKey: false);
            if (keyNode is not YScalar key)
            {
                _problems.Add(keyNode, $"a key must be plain text, not {keyNode.Describe()}");
                continue;
            }

            if (key.Value == MergeKey && key.Style == ScalarStyle.Plain)
            {
                CollectMerge(value, merged);
                continue;
            }

            if (mapping.Find(key.Value) is { } first)
            {
                _problems.Add(key, $"duplicate key '{key.Value}' (first given at line {first.Key.Line}, column {first.Key.Column})");
                continue;
            }

            mapping.Entries.Add(new KeyValuePair<YScalar, YNode>(key, value));
        }

        foreach (var source in merged)
        {
            foreach (var entry in source.Entries)
            {
                if (mapping.Find(entry.Key.Value) is null)
                {
                    mapping.Entries.Add(entry);
                }
            }
        }
    }

    private void CollectMerge(YNode value, List<YMapping> merged)
    {
        switch (value)
        {
            case YMapping m:
                merged.Add(m);
                break;
            case YSequence s:
                foreach (var item in s.Items)
                {
                    if (item is YMapping im)
                    {
                        merged.Add(im);
                    }
                    else
                    {
                        _problems.Add(item, $"a merge key (<<) takes mappings, not {item.Describe()}");
                    }
                }

                break;
            default:
                _problems.Add(value, $"a merge key (<<) takes a mapping or a list of mappings, not {value.Describe()}");
                break;
        }
    }

    private YScalar ReadScalar(Scalar scalar, bool isKey)
    {
        var line = (int)scalar.Start.Line;
        var column = (int)scalar.Start.Column;
        if (isKey)
        {
            return new YScalar(line, column, scalar.Value, scalar.Style, false);
        }

        var failures = new List<EnvironmentSubstitution.Failure>();
        var value = EnvironmentSubstitution.Substitute(scalar.Value, _env, out var fromEnv, failures);
        foreach (var failure in failures)
        {
            var (l, c) = PositionOf(scalar, failure.Offset);
            _problems.Add(l, c, failure.Message);
        }

        if (fromEnv)
        {
            _problems.Secret(value);
        }

        return new YScalar(line, column, value, scalar.Style, fromEnv);
    }

    /// <summary>The exact position of a character of the value when the source shows it unchanged on one line;
    /// the start of the scalar otherwise.</summary>
    private static (int Line, int Column) PositionOf(Scalar scalar, int offset)
    {
        var line = (int)scalar.Start.Line;
        var column = (int)scalar.Start.Column;
        if (scalar.Start.Line != scalar.End.Line || scalar.Anchor.IsEmpty == false || !scalar.Tag.IsEmpty)
        {
            return (line, column);
        }

        var width = scalar.End.Column - scalar.Start.Column;
        return scalar.Style switch
        {
            ScalarStyle.Plain when width == scalar.Value.Length => (line, column + offset),
            ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted when width == scalar.Value.Length + 2 => (line, column + 1 + offset),
            _ => (line, column),
        };
    }

    private T Remember<T>(NodeEvent ev, T node)
        where T : YNode
    {
        if (!ev.Anchor.IsEmpty)
        {
            _anchors[ev.Anchor.Value] = node;
        }

        return node;
    }
}
