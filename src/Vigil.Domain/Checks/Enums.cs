namespace Vigil.Domain.Checks;

public enum CheckKind { Heartbeat, Probe }

/// <summary>Healthchecks-compatible status.</summary>
public enum CheckStatus { New, Up, Grace, Down, Paused }

public enum Severity { Info, Warning, Critical }

/// <summary>The highest severity among a check's firing alerts.</summary>
public enum Level { Ok, Warning, Critical }

/// <summary>Who owns a check's definition: the API, the config file, or a ping with <c>?create=1</c>
/// (counted against <c>ping.auto_create.limit</c>).</summary>
public enum ManagedBy { Api, Config, Ping }

public static class EnumText
{
    public static string Text(this CheckStatus s) => s.ToString().ToLowerInvariant();
    public static string Text(this Severity s) => s.ToString().ToLowerInvariant();
    public static string Text(this Level s) => s.ToString().ToLowerInvariant();
    public static string Text(this CheckKind s) => s.ToString().ToLowerInvariant();
    public static string Text(this ManagedBy s) => s.ToString().ToLowerInvariant();

    public static Level ToLevel(this Severity s) => s switch
    {
        Severity.Critical => Level.Critical,
        Severity.Warning => Level.Warning,
        _ => Level.Ok,
    };

    public static bool TryParseSeverity(string? text, out Severity severity)
    {
        switch (text)
        {
            case "critical": severity = Severity.Critical; return true;
            case "warning": severity = Severity.Warning; return true;
            default: severity = Severity.Critical; return false;
        }
    }

    public static bool TryParseStatus(string? text, out CheckStatus status) =>
        Enum.TryParse(text, ignoreCase: true, out status) && text == text?.ToLowerInvariant();

    public static bool TryParseLevel(string? text, out Level level) =>
        Enum.TryParse(text, ignoreCase: true, out level) && text == text?.ToLowerInvariant();
}
