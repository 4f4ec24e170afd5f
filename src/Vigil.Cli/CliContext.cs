using System.CommandLine;
using Vigil.Client;
using Vigil.Configuration;

namespace Vigil.Cli;

/// <summary>What a verb needs from the command line and the environment: the server, the key, the output mode.</summary>
internal sealed class CliContext
{
    public CliContext(ParseResult parse, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Environment = environment ?? ConfigLoader.ProcessEnvironment();
        Json = parse.GetValue(GlobalOptions.Json);
        Quiet = parse.GetValue(GlobalOptions.Quiet);
        var server = parse.GetValue(GlobalOptions.Server) ?? Env("VIGIL_URL") ?? VigilClient.DefaultServer.ToString();
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new UsageException($"--server '{server}' is not an http(s) URL");
        }

        Server = uri;
        Key = ResolveKey(parse.GetValue(GlobalOptions.Key) ?? Env("VIGIL_API_KEY"));
    }

    public IReadOnlyDictionary<string, string?> Environment { get; }
    public Uri Server { get; }
    public string? Key { get; }
    public bool Json { get; }
    public bool Quiet { get; }

    public string? Env(string name) => Environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    public VigilClient CreateClient() => new(Server, Key);

    /// <summary>Where undeliverable signals wait for the next invocation that reaches the server.</summary>
    public string SpoolDirectory =>
        Env("VIGIL_SPOOL")
        ?? Path.Combine(Env("XDG_STATE_HOME") ?? Path.Combine(Env("HOME") ?? Path.GetTempPath(), ".local", "state"), "vigil", "spool");

    private string? ResolveKey(string? given)
    {
        if (given is not null)
        {
            if (!given.StartsWith("file:", StringComparison.Ordinal))
            {
                return given;
            }

            var path = given["file:".Length..];
            try
            {
                return File.ReadAllText(path).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--key file:{path} cannot be read: {ex.Message}");
            }
        }

        foreach (var dir in new[] { Env("VIGIL_DATA"), "data" })
        {
            if (dir is null)
            {
                continue;
            }

            var path = Path.Combine(dir, "admin.key");
            try
            {
                if (File.Exists(path))
                {
                    return File.ReadAllText(path).Trim();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not readable by this user: act as if there were no key; the server will say 401.
            }
        }

        return null;
    }

    /// <summary>Who holds a lease this process takes: host:pid, as the spec's examples write it.</summary>
    public static string ThisProcessAsHolder => $"{System.Environment.MachineName}:{System.Environment.ProcessId}";

    public void Info(string message)
    {
        if (!Quiet)
        {
            Console.Error.WriteLine(message);
        }
    }
}
