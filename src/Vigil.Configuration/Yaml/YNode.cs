namespace Vigil.Configuration.Yaml;

/// <summary>A node of the parsed file with the 1-based position where it starts.</summary>
internal abstract class YNode(int line, int column)
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    /// <summary>How the node is named in messages: "a mapping", "a list", "text".</summary>
    public abstract string Describe();
}
