using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.EndToEnd.Tests;

/// <summary>A real HTTP receiver on loopback that records every POST (body, Idempotency-Key, arrival time)
/// and answers as told: accept, fail with 500, or hang until the caller goes away.</summary>
internal sealed class FakeWebhook : IAsyncDisposable
{
    public enum Behaviour { Accept, Fail500, Hang }

    internal sealed record Delivery(JsonObject Body, string? IdempotencyKey, long ArrivedAt, Behaviour AnsweredWith)
    {
        public string? Alert => Body["alert"]?.GetValue<string>();
        public string? Id => Body["id"]?.GetValue<string>();
        public string? CheckName => Body["check"]?["name"]?.GetValue<string>();
        public string? State => Body["state"]?.GetValue<string>();
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private volatile Behaviour _behaviour = Behaviour.Accept;

    private FakeWebhook(WebApplication app)
    {
        _app = app;
    }

    public string Url { get; private set; } = "";

    public Behaviour Mode { get => _behaviour; set => _behaviour = value; }

    /// <summary>When set, decides per request (by delivery count so far) instead of <see cref="Mode"/>.</summary>
    public Func<Delivery, Behaviour>? Decide { get; set; }

    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    public static async Task<FakeWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hook = new FakeWebhook(app);
        app.MapPost("/{**path}", hook.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hook.Url = address.TrimEnd('/') + "/hook";
        return hook;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var body = (JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false)) as JsonObject) ?? [];
        var key = ctx.Request.Headers["Idempotency-Key"].ToString();
        var provisional = new Delivery(body, key.Length == 0 ? null : key, TimeProvider.System.GetTimestamp(), _behaviour);
        var behaviour = Decide?.Invoke(provisional) ?? _behaviour;
        _deliveries.Enqueue(provisional with { AnsweredWith = behaviour });
        switch (behaviour)
        {
            case Behaviour.Fail500:
                ctx.Response.StatusCode = 500;
                return;
            case Behaviour.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                return;
            default:
                ctx.Response.StatusCode = 200;
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
