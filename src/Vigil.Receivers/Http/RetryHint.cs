using System.Globalization;
using System.Net.Http.Headers;

namespace Vigil.Receivers.Http;

/// <summary>Reads how long a receiver asked us to wait: <c>Retry-After</c> (seconds or an HTTP date), and the
/// fractional-seconds variants Discord uses.</summary>
internal static class RetryHint
{
    /// <summary>The longest wait a receiver may impose on one attempt; a bogus hint cannot park alerts for days.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromHours(1);

    public static TimeSpan? FromRetryAfter(HttpResponseHeaders headers, TimeProvider time)
    {
        var header = headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return Clamp(delta);
        }

        if (header?.Date is { } date)
        {
            return Clamp(date - time.GetUtcNow());
        }

        return headers.TryGetValues("Retry-After", out var values) ? Seconds(values.FirstOrDefault()) : null;
    }

    public static TimeSpan? Seconds(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            ? Clamp(TimeSpan.FromSeconds(Math.Min(seconds, Max.TotalSeconds)))
            : null;

    public static TimeSpan? Longest(params TimeSpan?[] hints)
    {
        TimeSpan? longest = null;
        foreach (var hint in hints)
        {
            if (hint is { } h && (longest is null || h > longest))
            {
                longest = h;
            }
        }

        return longest;
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > Max ? Max : wait;
}
