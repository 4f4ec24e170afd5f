using Vigil.Domain.Probes;

namespace Vigil.Domain.Tests;

public sealed class ConditionTests
{
    [Theory]
    [InlineData("age > 10m", Quantity.Age, ComparisonOperator.Greater, 600)]
    [InlineData("  skew>=0.5 ", Quantity.Skew, ComparisonOperator.GreaterOrEqual, 0.5)]
    [InlineData("latency < 250ms", Quantity.Latency, ComparisonOperator.Less, 0.25)]
    [InlineData("age > 1h30m", Quantity.Age, ComparisonOperator.Greater, 5400)]
    [InlineData("age <= 90", Quantity.Age, ComparisonOperator.LessOrEqual, 90)]
    [InlineData("used_pct >= 95", Quantity.UsedPct, ComparisonOperator.GreaterOrEqual, 95)]
    [InlineData("used_pct > 95.5%", Quantity.UsedPct, ComparisonOperator.Greater, 95.5)]
    [InlineData("used_bytes > 512MiB", Quantity.UsedBytes, ComparisonOperator.Greater, 536870912)]
    [InlineData("bytes < 2kB", Quantity.Bytes, ComparisonOperator.Less, 2000)]
    [InlineData("days_left < 14", Quantity.DaysLeft, ComparisonOperator.Less, 14)]
    [InlineData("status != 200", Quantity.Status, ComparisonOperator.NotEqual, 200)]
    [InlineData("rows == 0", Quantity.Rows, ComparisonOperator.Equal, 0)]
    [InlineData("value < -1.5e3", Quantity.Value, ComparisonOperator.Less, -1500)]
    [InlineData("exit_status != 0", Quantity.ExitStatus, ComparisonOperator.NotEqual, 0)]
    public void Conditions_parse_into_quantity_operator_and_threshold_in_base_units(string text, string quantity, ComparisonOperator op, double threshold)
    {
        Assert.True(ConditionParser.TryParse(text, out var c, out var error), error?.Message);
        Assert.Equal((quantity, op, threshold), (c.Quantity, c.Operator, c.Threshold));
    }

    [Theory]
    [InlineData("", 0, "is not a condition")]
    [InlineData("freshness > 10m", 0, "unknown quantity 'freshness'")]
    [InlineData("age 10m", 4, "expected an operator after 'age'")]
    [InlineData("age <> 10m", 4, "unknown operator '<>'")]
    [InlineData("age >", 5, "expected a value after '>'")]
    [InlineData("age > 10 m", 9, "unexpected 'm'")]
    [InlineData("age > 10y", 6, "'10y' is not a duration")]
    [InlineData("status == 2xx", 10, "'2xx' is not a number")]
    [InlineData("used_bytes > 5 GiB", 15, "unexpected 'GiB'")]
    [InlineData("used_bytes > 5GB!", 13, "'5GB!' is not a size")]
    public void Errors_say_what_is_wrong_and_where(string text, int index, string message)
    {
        Assert.False(ConditionParser.TryParse(text, out _, out var error));
        Assert.Equal(index, error.Index);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ComparisonOperator.Greater, 10, false, 11, true)]
    [InlineData(ComparisonOperator.GreaterOrEqual, 10, true, 9, false)]
    [InlineData(ComparisonOperator.Less, 10, false, 9, true)]
    [InlineData(ComparisonOperator.LessOrEqual, 10, true, 11, false)]
    [InlineData(ComparisonOperator.Equal, 10, true, 11, false)]
    [InlineData(ComparisonOperator.NotEqual, 10, false, 11, true)]
    public void Operators_compare_as_written(ComparisonOperator op, double at, bool atHolds, double other, bool otherHolds)
    {
        var c = new Condition(Quantity.Value, op, 10, "10");

        Assert.Equal(atHolds, c.Holds(at));
        Assert.Equal(otherHolds, c.Holds(other));
    }

    [Fact]
    public void A_condition_prints_as_written_and_stores_as_its_text()
    {
        var c = Condition.Parse("age>5d");

        Assert.Equal("age > 5d", c.ToString());
        var json = System.Text.Json.JsonSerializer.Serialize(c);
        Assert.Equal("\"age \\u003E 5d\"", json);
        Assert.Equal(c, System.Text.Json.JsonSerializer.Deserialize<Condition>(json));
    }
}
