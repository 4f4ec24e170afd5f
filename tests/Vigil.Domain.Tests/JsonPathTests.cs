using System.Text.Json.Nodes;
using Vigil.Domain.Probes;

namespace Vigil.Domain.Tests;

public sealed class JsonPathTests
{
    private static readonly JsonNode Doc = JsonNode.Parse("""{"token":{"created":1},"data":[{"server time":"t0"},{"x":[5,6,7]}],"a.b":true}""")!;

    [Theory]
    [InlineData("$.token.created", "1")]
    [InlineData("$['token']['created']", "1")]
    [InlineData("$.data[0]['server time']", "\"t0\"")]
    [InlineData("$.data[1].x[-1]", "7")]
    [InlineData("$[\"a.b\"]", "true")]
    public void The_supported_subset_selects_one_value(string path, string expected)
    {
        Assert.True(JsonPath.Parse(path).TrySelect(Doc, out var value, out var missing), missing);
        Assert.Equal(expected, value!.ToJsonString());
    }

    [Theory]
    [InlineData("$.token.expires", "$.token has no member 'expires'")]
    [InlineData("$.data[5]", "$.data has no item [5]")]
    [InlineData("$.token[0]", "$.token has no item [0]")]
    public void A_missing_value_names_where_the_path_stops(string path, string expected)
    {
        Assert.False(JsonPath.Parse(path).TrySelect(Doc, out _, out var missing));
        Assert.Equal(expected, missing);
    }

    [Theory]
    [InlineData("token.created", 0, "start at the root with $")]
    [InlineData("$..created", 2, "recursive descent")]
    [InlineData("$.data[*]", 7, "no wildcards")]
    [InlineData("$.data[?(@.x)]", 7, "no wildcards, filters or slices")]
    [InlineData("$.data[0", 6, "not closed")]
    [InlineData("$.*", 2, "no wildcards")]
    public void Unsupported_or_broken_paths_are_refused_with_a_position(string path, int index, string message)
    {
        Assert.False(JsonPath.TryParse(path, out _, out var error));
        Assert.Equal(index, error.Index);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
