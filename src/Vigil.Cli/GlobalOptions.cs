using System.CommandLine;

namespace Vigil.Cli;

/// <summary>Options every verb accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Server = new("--server")
    {
        Description = "Vigil's URL (env VIGIL_URL; default http://127.0.0.1:8470)",
        Recursive = true,
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = "API key, or file:PATH to read it from (env VIGIL_API_KEY; default <data>/admin.key when readable)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "machine-readable output", Recursive = true };

    public static readonly Option<bool> Quiet = new("--quiet") { Description = "print only errors", Recursive = true };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Server);
        root.Options.Add(Key);
        root.Options.Add(Json);
        root.Options.Add(Quiet);
    }
}
