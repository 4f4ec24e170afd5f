using Vigil.Domain.Time;

namespace Vigil.Domain.Tests;

public class TimestampsTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-01-01T00:00:00Z")]
    [InlineData("2026-01-01T02:00:00+02:00")]
    [InlineData("2025-12-31T19:00:00-05:00")]
    [InlineData("2026-01-01T00:00:00.000Z")]
    [InlineData("2026-01-01 00:00:00Z")]
    [InlineData("1767225600")]
    [InlineData("1767225600.0")]
    public void TryParse_WithOffsetOrEpoch_IsAcceptedAndNormalisedToUtc(string text)
    {
        Assert.True(Timestamps.TryParse(text, out var value, out var error), error);
        Assert.Equal(Midnight, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Fact]
    public void TryParse_FractionalEpoch_KeepsMilliseconds()
    {
        Assert.True(Timestamps.TryParse("1767225600.25", out var value, out _));
        Assert.Equal(Midnight.AddMilliseconds(250), value);
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00")]
    [InlineData("2026-01-01 00:00:00")]
    [InlineData("2026-01-01T00:00:00.123")]
    public void TryParse_NaiveTimestamp_IsRefusedSayingTheOffsetIsMissing(string text)
    {
        Assert.False(Timestamps.TryParse(text, out _, out var error));
        Assert.Contains("no UTC offset", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("-1")]
    [InlineData("1767225600000000")]
    public void TryParse_Garbage_IsRefusedWithAMessage(string text)
    {
        Assert.False(Timestamps.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Format_IsUtcWithZ()
    {
        var berlin = new DateTimeOffset(2026, 7, 1, 14, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal("2026-07-01T12:00:00Z", Timestamps.Format(berlin));
        Assert.Equal("2026-07-01T12:00:00.5Z", Timestamps.Format(berlin.AddMilliseconds(500)));
    }
}
