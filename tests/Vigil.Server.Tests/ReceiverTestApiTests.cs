using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary><c>POST /api/v1/receivers/{name}/test</c>: one direct delivery attempt through one receiver, reported
/// as it went, never with a secret in it.</summary>
public sealed class ReceiverTestApiTests
{
    private const string Token = "sekrit-token-in-the-url";

    private static Task<VigilHost> StartAsync(string url) => VigilHost.StartAsync(s => s with
    {
        Receivers = [new ReceiverSettings("hook", "webhook", Url: url, Secret: VigilHost.WebhookSecret)],
    });

    private static async Task<JsonElement> TestAsync(VigilHost host, string name = "hook", string? key = null)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"api/v1/receivers/{name}/test", key ?? host.AdminKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"answered {(int)response.StatusCode}: {text}");
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(VigilHost.WebhookSecret, text, StringComparison.Ordinal);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task A_working_receiver_gets_a_test_notification_and_the_answer_says_delivered()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await StartAsync(hook.Url + "?token=" + Token);
        var write = await host.CreateKeyAsync("ops", "write");

        var answer = await TestAsync(host, key: write);

        Assert.Equal("hook", answer.GetProperty("receiver").GetString());
        Assert.True(answer.GetProperty("delivered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("retry_after_s").ValueKind);
        Assert.True(answer.GetProperty("duration_ms").GetInt64() >= 0);
        var sent = Assert.Single(hook.All).Json;
        Assert.Equal("test", sent.GetProperty("alert").GetString());
        Assert.Equal("info", sent.GetProperty("severity").GetString());
        Assert.Contains("'ops'", sent.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Not through the outbox: nothing is pending, nothing is retried.
        Assert.True(await host.OutboxEmptyAsync());
    }

    [Fact]
    public async Task A_failing_receiver_is_reported_with_its_error_sentence_and_retry_hint_and_nothing_secret()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await StartAsync(hook.Url + "?token=" + Token);

        hook.AnswerWith = 500;
        var failed = await TestAsync(host);
        Assert.False(failed.GetProperty("delivered").GetBoolean());
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains("webhook receiver 'hook'", error, StringComparison.Ordinal);
        Assert.Contains("500", error, StringComparison.Ordinal);

        hook.AnswerWith = 429;
        hook.RetryAfterSeconds = 30;
        var limited = await TestAsync(host);
        Assert.False(limited.GetProperty("delivered").GetBoolean());
        Assert.Equal(30, limited.GetProperty("retry_after_s").GetDouble());
        Assert.Equal(2, hook.All.Count);
        Assert.True(await host.OutboxEmptyAsync());
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_is_cut_at_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var host = await StartAsync($"http://127.0.0.1:{port}/hook?token={Token}");

        var test = TestAsync(host);
        using var accepted = await silent.AcceptTcpClientAsync();
        // The connection is open and nothing will ever answer: the test's timeout runs on Vigil's clock.
        while (!test.IsCompleted)
        {
            host.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(test, Task.Delay(20));
        }

        var answer = await test;
        Assert.False(answer.GetProperty("delivered").GetBoolean());
        Assert.Contains("did not answer within 10s", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(answer.GetProperty("duration_ms").GetInt64() >= 10_000);
    }

    [Fact]
    public async Task An_unknown_receiver_is_404_and_a_read_key_is_403()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await StartAsync(hook.Url);
        var read = await host.CreateKeyAsync("viewer", "read");

        using (var unknown = await host.AdminAsync(HttpMethod.Post, "api/v1/receivers/nope/test"))
        {
            var problem = await unknown.ProblemAsync(404);
            Assert.Contains("'nope'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var forbidden = await host.SendAsync(HttpMethod.Post, "api/v1/receivers/hook/test", read))
        {
            await forbidden.ProblemAsync(403);
        }

        Assert.Empty(hook.All);
    }
}
