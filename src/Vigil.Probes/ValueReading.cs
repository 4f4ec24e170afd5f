using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes;

/// <summary>
/// Turns a value read by a probe (JSON, text, a database value) into <c>value</c>, and for timestamps
/// <c>age</c> = now − the instant read. A timestamp without an offset (a naive string, a SQL <c>timestamp</c>
/// without time zone) is refused: guessing its zone is the bug Vigil exists to prevent.
/// </summary>
internal static class ValueReading
{
    /// <summary>Adds the quantities to <paramref name="into"/>, or returns why the value cannot be read.</summary>
    public static string? Add(object? raw, ValueKind kind, DateTimeOffset now, string subject, Dictionary<string, double> into, TimeUnit? unit = null)
    {
        if (raw is JsonNode node)
        {
            raw = node.GetValueKind() switch
            {
                JsonValueKind.Number => node.GetValue<double>(),
                JsonValueKind.String => node.GetValue<string>(),
                JsonValueKind.Null => null,
                JsonValueKind.True or JsonValueKind.False => Wrong("boolean"),
                JsonValueKind.Array => Wrong("array"),
                _ => Wrong("object"),
            };
        }

        if (raw is WrongType wrong)
        {
            return $"{subject} is {Article(wrong.What)}, not {(kind == ValueKind.Timestamp ? "a timestamp" : "a number")}";
        }

        if (raw is null or DBNull)
        {
            return $"{subject} is null";
        }

        return kind == ValueKind.Timestamp ? AddTimestamp(raw, now, subject, into, unit) : AddNumber(raw, subject, into);
    }

    private static string? AddNumber(object raw, string subject, Dictionary<string, double> into)
    {
        double? number = raw switch
        {
            double d => d,
            float f => f,
            decimal m => (double)m,
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            ulong u => u,
            uint u => u,
            string text when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
        if (number is not { } n || !double.IsFinite(n))
        {
            return raw is string text ? $"{subject} is '{Shorten(text)}', which is not a number" : $"{subject} is {Article(raw.GetType().Name)}, not a number";
        }

        into[Quantity.Value] = n;
        return null;
    }

    private static string? AddTimestamp(object raw, DateTimeOffset now, string subject, Dictionary<string, double> into, TimeUnit? unit)
    {
        DateTimeOffset at;
        string? error;
        switch (raw)
        {
            case DateTimeOffset dto:
                at = dto;
                break;
            case DateTime { Kind: DateTimeKind.Utc } utc:
                at = new DateTimeOffset(utc, TimeSpan.Zero);
                break;
            case DateTime naive:
                return $"{subject} is {naive.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)} without a time zone; Vigil never guesses one (store timestamptz, RFC 3339 with an offset, or epoch seconds)";
            case string text:
                if (!ProbeTimestamps.TryParse(text, unit, out at, out error))
                {
                    return $"{subject}: {error}";
                }

                break;
            case double or float or decimal or long or int or ulong or uint:
                if (!ProbeTimestamps.TryFromNumber(Convert.ToDouble(raw, CultureInfo.InvariantCulture), unit, out at, out error))
                {
                    return $"{subject}: {error}";
                }

                break;
            default:
                return $"{subject} is {Article(raw.GetType().Name)}, not a timestamp";
        }

        into[Quantity.Value] = at.ToUnixTimeMilliseconds() / 1000d;
        into[Quantity.Age] = (now - at).TotalSeconds;
        return null;
    }

    private static WrongType Wrong(string what) => new(what);

    private static string Article(string what) => what.Length > 0 && "aeiouAEIOU".Contains(what[0], StringComparison.Ordinal) ? $"an {what}" : $"a {what}";

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private sealed record WrongType(string What);
}
