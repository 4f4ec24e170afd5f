namespace Vigil.Configuration;

/// <summary>One thing wrong with a configuration file, with the 1-based position of the offending key or
/// value. <see cref="Line"/> is 0 when the problem concerns the whole file (it cannot be read).</summary>
public sealed record ConfigProblem(string File, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}
