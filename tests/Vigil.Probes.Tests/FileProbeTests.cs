using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

public sealed class FileProbeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string TokenFile(string createdAt)
    {
        var path = _dir.Combine("schwab_client.json");
        File.WriteAllText(path, """{"token": {"access_token": "x", "refresh_token_created_at": """ + createdAt + "}}");
        return path;
    }

    private static FileProbeDefinition Token(string path) =>
        new() { Path = path, Json = "$.token.refresh_token_created_at", Value = ValueKind.Timestamp };

    [Theory]
    [InlineData(4, Level.Ok)]
    [InlineData(5, Level.Warning)]
    [InlineData(6, Level.Warning)]
    [InlineData(7, Level.Critical)]
    public async Task The_broker_token_file_warns_after_5_days_and_is_critical_after_7(int daysOld, Level expected)
    {
        // Age a little past the whole days so "> 5d" holds on day five, as it does in real time.
        var created = Probe.Now.AddDays(-daysOld).AddHours(-2);
        var path = TokenFile($"\"{created:yyyy-MM-dd'T'HH:mm:ss}+00:00\"");

        var m = await Probe.MeasureAsync(Token(path), Probe.Rules("age > 5d", "age > 7d"));

        Probe.Is(expected, m);
        Assert.Equal((daysOld * 24 + 2) * 3600d, m.Quantities[Quantity.Age]);
        Assert.Equal($"{path}'s $.token.refresh_token_created_at is {daysOld}d 2h old (warn after 5d, critical after 7d)", m.Reason);
        Assert.Equal(Probe.Now, m.At);
    }

    [Theory]
    [InlineData("1773140400", 3600)]          // epoch seconds
    [InlineData("1773140400000", 3600)]       // epoch milliseconds (> 10^12)
    [InlineData("\"2026-03-10T14:00:00+03:00\"", 3600)] // RFC 3339 with an offset
    public async Task Timestamps_are_epoch_seconds_epoch_milliseconds_or_RFC_3339_with_an_offset(string json, double age)
    {
        var m = await Probe.MeasureAsync(Token(TokenFile(json)), Probe.Rules("age > 2h"));

        Probe.Is(Level.Ok, m);
        Assert.Equal(age, m.Quantities[Quantity.Age]);
    }

    [Fact]
    public async Task A_naive_timestamp_is_unmeasurable_saying_it_has_no_offset()
    {
        var m = await Probe.MeasureAsync(Token(TokenFile("\"2026-03-09T12:00:00\"")), Probe.Rules("age > 5d", "age > 7d"));

        Probe.Unmeasurable(m, "has no UTC offset");
        Probe.Is(Level.Critical, m);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_unmeasurable_and_unmeasurable_warning_makes_it_a_warning()
    {
        var m = await Probe.MeasureAsync(Token(TokenFile("{\"at\": 1}")), Probe.Rules("age > 5d", unmeasurable: Level.Warning));

        Probe.Unmeasurable(m, "is an object, not a timestamp");
        Probe.Is(Level.Warning, m);
    }

    [Fact]
    public async Task A_missing_path_in_the_JSON_is_unmeasurable_naming_where_it_stops()
    {
        var path = TokenFile("1773140400");

        var m = await Probe.MeasureAsync(Token(path) with { Json = "$.token.expires_at" });

        Probe.Unmeasurable(m, "$.token has no member 'expires_at'");
    }

    [Fact]
    public async Task A_missing_file_is_unmeasurable_and_neither_it_nor_its_directory_is_created()
    {
        var path = _dir.Combine("no-such-dir/token.json");

        var m = await Probe.MeasureAsync(Token(path), Probe.Rules("age > 5d"));
        var mtime = await Probe.MeasureAsync(new FileProbeDefinition { Path = path });

        Probe.Unmeasurable(m, "does not exist (nor does its directory)");
        Probe.Is(Level.Critical, mtime);
        Assert.False(Directory.Exists(_dir.Combine("no-such-dir")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task Without_json_or_regex_the_age_is_of_the_modification_time_and_the_file_is_left_untouched()
    {
        var path = _dir.Combine("heartbeat");
        await File.WriteAllTextAsync(path, "alive\n");
        var modified = Probe.Now.AddMinutes(-20).UtcDateTime;
        File.SetLastWriteTimeUtc(path, modified);
        var before = await File.ReadAllBytesAsync(path);

        var m = await Probe.MeasureAsync(new FileProbeDefinition { Path = path }, Probe.Rules("age > 10m", "age > 15m"));

        Probe.Is(Level.Critical, m);
        Assert.Equal(1200, m.Quantities[Quantity.Age]);
        Assert.Equal(6, m.Quantities[Quantity.Bytes]);
        Assert.Equal($"{path} (last modified) is 20m old (warn after 10m, critical after 15m)", m.Reason);
        Assert.Equal(modified, File.GetLastWriteTimeUtc(path));
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_regex_reads_its_first_group_as_a_number()
    {
        var path = _dir.Combine("status.txt");
        await File.WriteAllTextAsync(path, "queue=17\nlag_seconds=42.5\n");
        var before = File.GetLastWriteTimeUtc(path);

        var critical = await Probe.MeasureAsync(new FileProbeDefinition { Path = path, Regex = @"^lag_seconds=(\S+)$" }, Probe.Rules("value > 10", "value > 40"));
        var notANumber = await Probe.MeasureAsync(new FileProbeDefinition { Path = path, Regex = @"^(queue)=" });

        Probe.Is(Level.Critical, critical);
        Assert.Equal(42.5, critical.Quantities[Quantity.Value]);
        Probe.Unmeasurable(notANumber, "'queue', which is not a number");
        Assert.Equal(before, File.GetLastWriteTimeUtc(path));
    }
}
