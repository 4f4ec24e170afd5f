using System.Text.Json;

namespace Vigil.Cli.Tests;

/// <summary>`vigil silence add|list|expire` as an operator types them.</summary>
public sealed class SilenceCommandTests : InProcessServer
{
    [Fact]
    public async Task Add_list_and_expire_a_silence()
    {
        var (added, addProcess) = await VigilAsync(Env(), "--json", "silence", "add", "--tag", "trading", "--for", "2h", "--reason", "exchange maintenance");
        await using (addProcess)
        {
            Assert.True(added == 0, addProcess.Output);
        }

        var id = JsonDocument.Parse(addProcess.Stdout).RootElement.GetProperty("id").GetString()!;
        var (listed, listProcess) = await VigilAsync(Env(), "silence", "list");
        await using (listProcess)
        {
            Assert.True(listed == 0, listProcess.Output);
            Assert.Contains(id, listProcess.Stdout, StringComparison.Ordinal);
            Assert.Contains("tags trading", listProcess.Stdout, StringComparison.Ordinal);
            Assert.Contains("exchange maintenance", listProcess.Stdout, StringComparison.Ordinal);
        }

        var (expired, expireProcess) = await VigilAsync(Env(), "silence", "expire", id);
        await using (expireProcess)
        {
            Assert.True(expired == 0, expireProcess.Output);
        }

        var (again, againProcess) = await VigilAsync(Env(), "silence", "expire", id);
        await using (againProcess)
        {
            Assert.True(again == 1, againProcess.Output);
        }
    }

    [Fact]
    public async Task A_silence_of_nothing_in_particular_or_a_bad_duration_is_a_usage_error()
    {
        var (nothing, p1) = await VigilAsync(Env(), "silence", "add", "--for", "1h", "--reason", "x");
        await using (p1)
        {
            Assert.True(nothing == 2, p1.Output);
            Assert.Contains("--check", p1.Stderr, StringComparison.Ordinal);
        }

        var (bad, p2) = await VigilAsync(Env(), "silence", "add", "--check", "job", "--for", "soon", "--reason", "x");
        await using (p2)
        {
            Assert.True(bad == 2, p2.Output);
            Assert.Contains("not a duration", p2.Stderr, StringComparison.Ordinal);
        }
    }
}
