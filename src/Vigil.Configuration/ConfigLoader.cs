using System.Collections;
using Vigil.Configuration.Parsing;

namespace Vigil.Configuration;

/// <summary>Loads and validates <c>vigil.yaml</c>. Never throws for a bad file: every problem found is
/// returned with its <c>file:line:column</c>.</summary>
public static class ConfigLoader
{
    /// <summary>Reads <paramref name="path"/>; relative paths inside resolve against its directory.</summary>
    public static ConfigResult Load(string path, IReadOnlyDictionary<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ConfigResult.Failure([new ConfigProblem(path, 0, 0, $"cannot read the file: {ex.Message}")]);
        }

        return LoadText(text, path, env);
    }

    /// <summary>Parses <paramref name="text"/> as if read from <paramref name="fileName"/>, which names the file in
    /// problems and, unless <paramref name="baseDirectory"/> is given, gives the directory relative paths
    /// resolve against.</summary>
    public static ConfigResult LoadText(string text, string fileName, IReadOnlyDictionary<string, string?> env, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(env);
        var fullPath = Path.GetFullPath(fileName);
        var directory = baseDirectory is null ? Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory() : Path.GetFullPath(baseDirectory);
        var problems = new Problems(fileName);
        var config = ConfigBuilder.Build(text, fullPath, directory, env, problems);
        return config is not null && problems.Count == 0 ? ConfigResult.Success(config) : ConfigResult.Failure(problems.Finish());
    }

    /// <summary>The current process environment, for <see cref="Load"/>.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = entry.Value as string;
        }

        return env;
    }
}
