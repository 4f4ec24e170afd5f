using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary>A server as written in the config: <c>host</c>, <c>host:port</c>, <c>[v6]:port</c> or a bare IPv6 address.</summary>
public sealed record HostPort(string Host, int Port)
{
    public static bool TryParse(string? text, int defaultPort, [NotNullWhen(true)] out HostPort? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        text = text?.Trim() ?? "";
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < text.Length && text[close + 1] != ':'))
            {
                error = $"'{text}' is not host, host:port or [IPv6]:port";
                return false;
            }

            host = text[1..close];
            port = close + 1 < text.Length ? text[(close + 2)..] : null;
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        else
        {
            host = text; // a name, an IPv4 address, or a bare IPv6 address (several colons, no port)
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace) || host.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}' is not host, host:port or [IPv6]:port";
            return false;
        }

        var number = defaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            error = $"'{text}': the port must be a number from 1 to 65535";
            return false;
        }

        value = new HostPort(host, number);
        error = null;
        return true;
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
