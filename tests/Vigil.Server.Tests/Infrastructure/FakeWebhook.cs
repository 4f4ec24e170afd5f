using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Vigil.Server.Tests.Infrastructure;

internal sealed record ReceivedRequest(string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>A real HTTP receiver on loopback: records every request and answers 200, 500 or 429 with Retry-After.</summary>
internal sealed class FakeWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

    private FakeWebhook(WebApplication app)
    {
        _app = app;
    }

    /// <summary>What the next requests get: 200, 500 or 429 (with <see cref="RetryAfterSeconds"/>).</summary>
    public int AnswerWith { get; set; } = 200;

    public int RetryAfterSeconds { get; set; } = 30;

    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedRequest> All => [.. _requests];

    /// <summary>The requests that were answered 2xx, i.e. the deliveries Vigil counts as done.</summary>
    public IReadOnlyList<ReceivedRequest> Accepted => [.. _requests.Where(r => r.AnsweredWith < 300)];

    public static async Task<FakeWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hook = new FakeWebhook(app);
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var status = hook.AnswerWith;
            hook._requests.Enqueue(new ReceivedRequest(body, headers, status));
            if (status == 429)
            {
                ctx.Response.Headers.RetryAfter = hook.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            ctx.Response.StatusCode = status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hook.Url = address.TrimEnd('/') + "/hook";
        return hook;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
