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

/// <summary>A real HTTP receiver on loopback: records every request and answers 200, 500 or 429 with Retry-After;
/// it can hang (never answer until the caller gives up) or hold every request at a gate the test opens.</summary>
internal sealed class FakeWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private TaskCompletionSource _gate = Opened();
    private int _inFlight;
    private int _maxInFlight;
    private int _finished;

    private FakeWebhook(WebApplication app)
    {
        _app = app;
    }

    /// <summary>What the next requests get: 200, 500 or 429 (with <see cref="RetryAfterSeconds"/>).</summary>
    public int AnswerWith { get; set; } = 200;

    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>Never answer: the request hangs until the caller gives up (its timeout) or goes away.</summary>
    public bool Hang { get; set; }

    /// <summary>Requests being handled now, the most ever at once, and how many were answered or abandoned.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int Finished => Volatile.Read(ref _finished);

    /// <summary>When set, requests are answered one at a time, each after this long (a receiver that takes its time):
    /// outcomes then come back one by one rather than all together.</summary>
    public TimeSpan? AnswerOneByOneAfter { get; set; }

    private readonly SemaphoreSlim _oneByOne = new(1, 1);

    /// <summary>From now on every request waits, recorded, until <see cref="OpenGate"/>.</summary>
    public void CloseGate() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenGate() => _gate.TrySetResult();

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
            var now = Interlocked.Increment(ref hook._inFlight);
            InterlockedMax(ref hook._maxInFlight, now);
            try
            {
                hook._requests.Enqueue(new ReceivedRequest(body, headers, hook.Hang ? 0 : status));
                if (hook.Hang)
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

                await hook._gate.Task.WaitAsync(ctx.RequestAborted);
                if (hook.AnswerOneByOneAfter is { } delay)
                {
                    await hook._oneByOne.WaitAsync(ctx.RequestAborted);
                    try
                    {
                        await Task.Delay(delay, ctx.RequestAborted);
                    }
                    finally
                    {
                        hook._oneByOne.Release();
                    }
                }
                if (status == 429)
                {
                    ctx.Response.Headers.RetryAfter = hook.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                ctx.Response.StatusCode = status;
            }
            finally
            {
                Interlocked.Decrement(ref hook._inFlight);
                Interlocked.Increment(ref hook._finished);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hook.Url = address.TrimEnd('/') + "/hook";
        return hook;
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        OpenGate();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
