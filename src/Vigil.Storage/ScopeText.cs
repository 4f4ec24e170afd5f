using Vigil.Domain.Security;

namespace Vigil.Storage;

/// <summary>Key scopes as stored: their lower-case names, never their numbers, so the column reads as the
/// config file does and a reordered enum cannot silently widen a key.</summary>
internal static class ScopeText
{
    public static string Of(Scope scope) => scope switch
    {
        Scope.Ping => "ping",
        Scope.Read => "read",
        Scope.Write => "write",
        Scope.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "not a key scope"),
    };

    public static Scope Parse(string text) => text switch
    {
        "ping" => Scope.Ping,
        "read" => Scope.Read,
        "write" => Scope.Write,
        "admin" => Scope.Admin,
        _ => throw new FormatException($"'{text}' is not a key scope (ping, read, write or admin)"),
    };
}
