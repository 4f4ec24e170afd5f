using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>
/// A real HTTP endpoint on loopback for Vigil's probes to measure: <c>/ok</c> answers 200; <c>/slow</c> counts the
/// runs that reach it and holds each until <see cref="Release"/> (or the prober gives up); <c>/time</c> answers a
/// server time of the given clock plus <see cref="SkewSeconds"/>, as an exchange's time endpoint does.
/// </summary>
internal sealed class ProbeTarget : IAsyncDisposable
{
    private readonly WebApplication _app;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _slowStarts;
    private int _slowOpen;

    private ProbeTarget(WebApplication app)
    {
        _app = app;
    }

    public string Url { get; private set; } = "";

    /// <summary>Runs that reached <c>/slow</c>.</summary>
    public int SlowStarts => Volatile.Read(ref _slowStarts);

    /// <summary>Runs of <c>/slow</c> still waiting for an answer.</summary>
    public int SlowOpen => Volatile.Read(ref _slowOpen);

    public double SkewSeconds { get; set; }

    public static async Task<ProbeTarget> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var target = new ProbeTarget(app);
        app.MapGet("/ok", () => Results.Text("ok"));
        app.MapGet("/slow", async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref target._slowStarts);
            Interlocked.Increment(ref target._slowOpen);
            try
            {
                await target._release.Task.WaitAsync(ctx.RequestAborted);
                return Results.Text("finally");
            }
            finally
            {
                Interlocked.Decrement(ref target._slowOpen);
            }
        });
        app.MapGet("/time", () =>
        {
            var ms = (clock.GetUtcNow() + TimeSpan.FromSeconds(target.SkewSeconds)).ToUnixTimeMilliseconds();
            return Results.Text($$"""{"serverTime":{{ms.ToString(CultureInfo.InvariantCulture)}}}""", "application/json");
        });
        await app.StartAsync();
        target.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return target;
    }

    /// <summary>Lets every held and later <c>/slow</c> request answer 200.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Holds <c>/slow</c> requests again.</summary>
    public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
