using Vigil.Domain.Time;

namespace Vigil.Cli;

/// <summary>Flag values with a type the parser does not know: durations and instants.</summary>
internal static class CliParse
{
    public static TimeSpan? OptionalDuration(string? text, string flag)
    {
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var value, out var error) || value <= TimeSpan.Zero)
        {
            throw new UsageException($"{flag} {error ?? "must be longer than 0s"}");
        }

        return value;
    }

    public static DateTimeOffset? OptionalInstant(string? text, string flag)
    {
        if (text is null)
        {
            return null;
        }

        return Timestamps.TryParse(text, out var value, out var error) ? value : throw new UsageException($"{flag} {error}");
    }
}
