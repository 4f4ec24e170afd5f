using System.Net;
using System.Text.Json;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Reads come from the published read model, never from the writer; lists page.</summary>
public sealed class ReadModelTests
{
    [Fact]
    public async Task A_flood_of_list_health_and_check_reads_enters_the_writer_not_once()
    {
        await using var host = await VigilHost.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            await host.PutCheckAsync($"job-{i:D2}", """{"every":"1h"}""");
        }

        var before = host.Loop.CommandsExecuted;
        var reads = Enumerable.Range(0, 300).Select(i => (i % 3) switch
        {
            0 => host.GetJsonAsync("api/v1/checks"),
            1 => host.GetJsonAsync("api/v1/health"),
            _ => host.GetJsonAsync($"api/v1/checks/job-{i % 20:D2}"),
        });
        await Task.WhenAll(reads);

        Assert.Equal(before, host.Loop.CommandsExecuted);
    }

    [Fact]
    public async Task The_list_pages_by_name_with_a_cursor_and_filters_apply_across_pages()
    {
        await using var host = await VigilHost.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            await host.PutCheckAsync($"job-{i:D2}", i % 2 == 0 ? """{"every":"1h","tags":["even"]}""" : """{"every":"1h"}""");
        }

        var names = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await host.GetJsonAsync("api/v1/checks?limit=7" + (cursor is null ? "" : "&cursor=" + cursor));
            names.AddRange(page.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.String ? page.GetProperty("next_cursor").GetString() : null;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"job-{i:D2}"), names);

        var even = await host.GetJsonAsync("api/v1/checks?tag=even&limit=4&cursor=job-09");
        Assert.Equal(["job-10", "job-12", "job-14", "job-16"], even.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("job-16", even.GetProperty("next_cursor").GetString());

        using var bad = await host.AdminAsync(HttpMethod.Get, "api/v1/checks?cursor=NOT%20A%20NAME");
        var problem = await bad.ProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task A_write_is_visible_to_the_next_read_and_a_delete_is_gone()
    {
        await using var host = await VigilHost.StartAsync();
        var created = await host.PutCheckAsync("job", """{"every":"1h"}""");
        Assert.Equal("new", created.GetProperty("check").GetProperty("status").GetString());

        using (var ping = await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail"))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        Assert.Equal("down", await host.StatusOfAsync("job"));
        var health = await host.GetJsonAsync("api/v1/health");
        Assert.Equal("critical", health.GetProperty("level").GetString());
        Assert.Equal(1, health.GetProperty("counts").GetProperty("critical").GetInt32());
        Assert.Contains(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("name").GetString() == "job");

        using (var delete = await host.AdminAsync(HttpMethod.Delete, "api/v1/checks/job"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await host.AdminAsync(HttpMethod.Get, "api/v1/checks/job");
        await gone.ProblemAsync(404);
        health = await host.GetJsonAsync("api/v1/health");
        Assert.Equal(0, health.GetProperty("counts").GetProperty("critical").GetInt32());
        Assert.Empty((await host.GetJsonAsync("api/v1/checks")).GetProperty("checks").EnumerateArray());
    }
}
