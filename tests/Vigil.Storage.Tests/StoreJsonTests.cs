using Vigil.Domain.Checks;
using static Vigil.Storage.Tests.StoreSamples;

namespace Vigil.Storage.Tests;

public sealed class StoreJsonTests
{
    [Fact]
    public void State_WithEveryMemberSet_RoundTrips()
    {
        var state = RichState();

        var copy = StoreJson.ReadState(StoreJson.Serialize(state));

        Assert.Equal(Render(state), Render(copy));
    }

    [Fact]
    public void Definition_WithEveryMemberSet_RoundTrips()
    {
        var definition = FullDefinition();

        var copy = StoreJson.ReadDefinition(StoreJson.Serialize(definition));

        Assert.Equal(Render(definition), Render(copy));
    }

    [Fact]
    public void Instants_AreWrittenAndReadAsUtc()
    {
        var local = new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2));

        var json = StoreJson.Serialize(new CheckState { NotBefore = local });
        var copy = StoreJson.ReadState(json);

        Assert.Contains("\"not_before\":\"2026-10-25T00:30:00Z\"", json, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, copy.NotBefore!.Value.Offset);
        Assert.Equal(local, copy.NotBefore);
    }

    [Fact]
    public void Enums_AreWrittenByName()
    {
        var json = StoreJson.Serialize(new CheckState { Status = CheckStatus.Down });

        Assert.Contains("\"status\":\"Down\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"level\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Definition_WithoutItsName_IsRefused()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => StoreJson.ReadDefinition("{\"uuid\":\"8a6941ee-0ee3-4fe3-8973-8248e3381250\"}"));
    }
}
