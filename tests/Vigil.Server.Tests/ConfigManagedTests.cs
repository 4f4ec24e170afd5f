using Vigil.Domain.Checks;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

public sealed class ConfigManagedTests
{
    [Fact]
    public async Task A_check_from_the_config_refuses_put_and_delete_but_pauses_and_resumes()
    {
        var uuid = Guid.Parse("6f1c9a0e-2b7d-4c1e-9a55-0d3c2b1a4e77");
        await using var host = await VigilHost.StartAsync(s => s with
        {
            ChecksFromConfig = true,
            Checks = [new CheckDefinition { Name = "from-config", Uuid = uuid, Every = TimeSpan.FromHours(1), Grace = TimeSpan.FromMinutes(5) }],
        });

        var check = await host.GetJsonAsync("api/v1/checks/from-config");
        Assert.Equal("config", check.GetProperty("check").GetProperty("managed_by").GetString());
        Assert.Equal(uuid, check.GetProperty("check").GetProperty("uuid").GetGuid());

        using (var put = await host.AdminAsync(HttpMethod.Put, "api/v1/checks/from-config", """{"every":"5m"}"""))
        {
            await put.ProblemAsync(409);
        }

        using (var delete = await host.AdminAsync(HttpMethod.Delete, "api/v1/checks/from-config"))
        {
            await delete.ProblemAsync(409);
        }

        Assert.Equal(3600, (await host.GetJsonAsync("api/v1/checks/from-config")).GetProperty("settings").GetProperty("every_s").GetDouble());

        using (var pause = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/from-config/pause"))
        {
            Assert.Equal(200, (int)pause.StatusCode);
        }

        Assert.Equal("paused", await host.StatusOfAsync("from-config"));
        using (var resume = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/from-config/resume"))
        {
            Assert.Equal(200, (int)resume.StatusCode);
        }

        Assert.NotEqual("paused", await host.StatusOfAsync("from-config"));

        // Its pinned UUID ping URL works, and an API check may not take that UUID.
        Assert.Equal((200, "OK"), await host.SendAsync(HttpMethod.Get, $"ping/{uuid}").TextAsync());
        using var taken = await host.AdminAsync(HttpMethod.Put, "api/v1/checks/other", $$"""{"uuid":"{{uuid}}"}""");
        await taken.ProblemAsync(409);
    }

    [Fact]
    public async Task An_api_check_can_be_paused_a_ping_resumes_it_and_delete_removes_it()
    {
        await using var host = await VigilHost.StartAsync();
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        using (await host.AdminAsync(HttpMethod.Post, "api/v1/checks/job/pause")) { }
        Assert.Equal("paused", await host.StatusOfAsync("job"));
        Assert.Equal((200, "OK"), await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}").TextAsync());
        Assert.Equal("up", await host.StatusOfAsync("job"));

        using (var delete = await host.AdminAsync(HttpMethod.Delete, "api/v1/checks/job"))
        {
            Assert.Equal(204, (int)delete.StatusCode);
        }

        using var gone = await host.AdminAsync(HttpMethod.Get, "api/v1/checks/job");
        await gone.ProblemAsync(404);
        using var pauseMissing = await host.AdminAsync(HttpMethod.Post, "api/v1/checks/job/pause");
        await pauseMissing.ProblemAsync(404);
    }
}
