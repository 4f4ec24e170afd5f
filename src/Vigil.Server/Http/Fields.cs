using System.Text.Json;
using Vigil.Domain.Time;

namespace Vigil.Server.Http;

/// <summary>Typed fields that JSON has no type for: durations ("12m" or seconds), instants, UUIDs.</summary>
internal static class Fields
{
    /// <summary>The longest duration the API accepts: the same limit as the config file's.</summary>
    public static readonly TimeSpan MaxDuration = Domain.Checks.CheckLimits.MaxDuration;

    public static TimeSpan? Duration(JsonElement? element, string field, RequestErrors errors)
    {
        if (element is not { } e || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Number)
        {
            if (e.TryGetInt64(out var seconds) && seconds >= 0 && seconds <= (long)MaxDuration.TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            errors.Add(field, "must be a whole, non-negative number of seconds or a duration such as 90s, 5m, 1h30m");
            return null;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            errors.Add(field, "must be a duration such as 90s, 5m, 1h30m or integer seconds");
            return null;
        }

        if (Durations.TryParse(e.GetString(), out var value, out var error))
        {
            if (value > MaxDuration)
            {
                errors.Add(field, Domain.Checks.CheckLimits.DurationProblem);
                return null;
            }

            return value;
        }

        errors.Add(field, error!);
        return null;
    }

    public static DateTimeOffset? Instant(JsonElement? element, string field, RequestErrors errors)
    {
        if (element is not { } e || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var epoch))
        {
            if (Timestamps.TryFromEpoch(epoch, out var fromEpoch, out var epochError))
            {
                return fromEpoch;
            }

            errors.Add(field, epochError!);
            return null;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            errors.Add(field, "must be RFC 3339 with an offset or Unix epoch seconds");
            return null;
        }

        if (Timestamps.TryParse(e.GetString(), out var value, out var error))
        {
            return value;
        }

        errors.Add(field, error!);
        return null;
    }

    public static Guid? Uuid(string? text, string field, RequestErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (Guid.TryParse(text, out var value))
        {
            return value;
        }

        errors.Add(field, $"'{Truncate(text)}' is not a UUID");
        return null;
    }

    public static string Truncate(string text, int max = 80) => text.Length <= max ? text : text[..max] + "…";
}
