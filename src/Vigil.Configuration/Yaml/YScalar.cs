using YamlDotNet.Core;

namespace Vigil.Configuration.Yaml;

/// <summary>A scalar after environment substitution.</summary>
internal sealed class YScalar(int line, int column, string value, ScalarStyle style, bool fromEnvironment) : YNode(line, column)
{
    public string Value { get; } = value;
    public ScalarStyle Style { get; } = style;

    /// <summary>True when any part of the value came from an environment variable: the value is then never shown.</summary>
    public bool FromEnvironment { get; } = fromEnvironment;

    public bool IsNull => Style == ScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing" : "text";
}
