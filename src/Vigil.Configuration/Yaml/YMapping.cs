namespace Vigil.Configuration.Yaml;

/// <summary>A mapping; the first of duplicated keys wins (duplicates are reported while reading).</summary>
internal sealed class YMapping(int line, int column) : YNode(line, column)
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];

    public override string Describe() => "a mapping";

    public KeyValuePair<YScalar, YNode>? Find(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Value == key)
            {
                return entry;
            }
        }

        return null;
    }
}
