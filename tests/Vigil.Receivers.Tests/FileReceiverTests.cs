using System.Text.Json;

namespace Vigil.Receivers.Tests;

/// <summary>The file of last resort: one JSON line per notification, today's line format.</summary>
public sealed class FileReceiverTests
{
    [Fact]
    public async Task A_single_notification_is_todays_line_and_a_digest_is_one_line_each()
    {
        using var dir = new TempDir();
        var path = dir.Combine("sub/alerts.jsonl");
        var receiver = new FileReceiver("disk", path);

        Assert.True((await receiver.DeliverAsync(Samples.Single(Samples.Down(), "disk"), CancellationToken.None)).Delivered);
        Assert.True((await receiver.DeliverAsync(Samples.Digest(2, "disk"), CancellationToken.None)).Delivered);

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        var expected = NotificationPayload.ToJson(Samples.Down());
        expected["idempotency_key"] = Samples.Down().Id.ToString();
        expected["receiver"] = "disk";
        Assert.Equal(expected.ToJsonString(), lines[0]);
        var digestLines = lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["job-000", "job-001", "recovered-job"], digestLines.Select(l => l.GetProperty("check").GetProperty("name").GetString()));
        Assert.All(digestLines, l => Assert.Equal("digest-2", l.GetProperty("message_key").GetString()));
        Assert.All(digestLines, l => Assert.Equal(l.GetProperty("id").GetString(), l.GetProperty("idempotency_key").GetString()));
    }

    [Fact]
    public async Task An_unwritable_path_fails_with_a_sentence()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("file"), "");
        var receiver = new FileReceiver("disk", dir.Combine("file/alerts.jsonl"));

        var result = await receiver.DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.StartsWith("file receiver 'disk': cannot append to ", result.Error, StringComparison.Ordinal);
    }
}
