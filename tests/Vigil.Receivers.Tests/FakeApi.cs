using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Receivers.Tests;

internal sealed record Recorded(string Method, string Path, string Query, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>How the fake answers one request; <see cref="Hang"/> never answers (until the client gives up).</summary>
internal sealed record Reply(int Status, string Body = "", string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false)
{
    public static Reply HangForever { get; } = new(0, Hang: true);
}

/// <summary>
/// A real HTTP server on loopback standing in for the Telegram Bot API, a Discord or a Slack webhook: it records
/// every request and answers what <see cref="Responder"/> says (by default each API's own success answer).
/// </summary>
internal sealed class FakeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Recorded> _requests = new();

    private FakeApi(WebApplication app)
    {
        _app = app;
    }

    public Func<Recorded, int, Reply> Responder { get; set; } = (_, _) => new Reply(200, "{}");

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Recorded> Requests => [.. _requests];

    public static async Task<FakeApi> StartAsync(Func<Recorded, int, Reply>? responder = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeApi(app);
        if (responder is not null)
        {
            fake.Responder = responder;
        }

        var count = 0;
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var recorded = new Recorded(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "", body, headers);
            fake._requests.Enqueue(recorded);
            var reply = fake.Responder(recorded, Interlocked.Increment(ref count));
            if (reply.Hang)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }

                return;
            }

            ctx.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                ctx.Response.Headers[name] = value;
            }

            ctx.Response.ContentType = reply.ContentType;
            await ctx.Response.WriteAsync(reply.Body, ctx.RequestAborted);
        });
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class Clients
{
    /// <summary>An HTTP client that gives up after <paramref name="seconds"/>, so the hang tests stay short.</summary>
    public static HttpClient Http(double seconds = 5) => new() { Timeout = TimeSpan.FromSeconds(seconds) };

    /// <summary>A loopback URL nobody listens on: connections are refused.</summary>
    public static string Closed() => $"http://127.0.0.1:{Ports.Free()}";
}
