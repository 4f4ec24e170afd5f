using Vigil.Domain.Time;

namespace Vigil.Domain.Tests;

public class DurationsTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("250ms", 250)]
    [InlineData("42", 42_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1d2h3m4s5ms", 93_784_005)]
    [InlineData(" 5m ", 300_000)]
    [InlineData("0", 0)]
    public void TryParse_ValidDuration_Parses(string text, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("5 minutes")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("-5m")]
    [InlineData("-5")]
    [InlineData("5x")]
    [InlineData("m")]
    [InlineData("1.5h")]
    [InlineData("5m1h")]
    [InlineData("99999999999999999999d")]
    public void TryParse_InvalidDuration_FailsWithMessage(string? text)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatExceptionNamingTheText()
    {
        var ex = Assert.Throws<FormatException>(() => Durations.Parse("5 minutes"));
        Assert.Contains("'5 minutes'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(172_800_000, "2d")]
    [InlineData(250, "250ms")]
    [InlineData(0, "0s")]
    public void Format_WritesAsAnOperatorWould_AndRoundTrips(long milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, Durations.Format(value));
        Assert.Equal(value, Durations.Parse(Durations.Format(value)));
    }
}
