using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.EndToEnd.Tests;

/// <summary>
/// A loopback HTTP proxy in front of Vigil that passes every request on, and answers the first one 500 whatever Vigil
/// said: Vigil has accepted the delivery, the sender believes it failed and retries, as after a lost answer.
/// </summary>
internal sealed class FlakyProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private int _count;

    /// <summary>One request passed on: what Vigil answered, and what the sender was told.</summary>
    internal sealed record Exchange(int VigilStatus, string VigilBody, int Answered);

    private FlakyProxy(WebApplication app, string upstream)
    {
        _app = app;
        _upstream = new HttpClient { BaseAddress = new Uri(upstream), Timeout = TimeSpan.FromSeconds(20) };
    }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Exchange> Exchanges => [.. _exchanges];

    public static async Task<FlakyProxy> StartAsync(string upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new FlakyProxy(app, upstream);
        app.MapPost("/{**path}", proxy.ForwardAsync);
        await app.StartAsync().ConfigureAwait(false);
        proxy.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return proxy;
    }

    private async Task ForwardAsync(HttpContext ctx)
    {
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, ctx.Request.Path + ctx.Request.QueryString) { Content = new ByteArrayContent(body.ToArray()) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ctx.Request.ContentType ?? "application/json");
        if (ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _upstream.SendAsync(request, ctx.RequestAborted).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ctx.RequestAborted).ConfigureAwait(false);
        var answer = Interlocked.Increment(ref _count) == 1 ? StatusCodes.Status500InternalServerError : (int)response.StatusCode;
        _exchanges.Enqueue(new Exchange((int)response.StatusCode, text, answer));
        ctx.Response.StatusCode = answer;
        ctx.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await ctx.Response.WriteAsync(answer == 500 ? "injected: the answer was lost" : text, ctx.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _upstream.Dispose();
    }
}
