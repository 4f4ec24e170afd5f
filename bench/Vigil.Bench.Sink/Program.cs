// The webhook sink for bench/delivery.sh: Vigil's webhook receiver (format: vigil) posts here. It answers 200 at
// once and records, per alert in each message, its arrival time and the fields the bench needs to compute
// throughput and deadline-to-delivery latency. A tiny Kestrel app (not Python) so that the sink is never what
// limits deliveries per second on a 2-core machine.
using Vigil.Bench.Sink;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddSingleton<Arrivals>();

var app = builder.Build();
app.MapPost("/hook", async (HttpContext ctx, Arrivals arrivals) =>
{
    // Stamped before the body is read: the body is small, and arrival means "the request reached the sink".
    var arrived = TimeProvider.System.GetUtcNow();
    var key = ctx.Request.Headers["Idempotency-Key"].ToString();
    using var body = await System.Text.Json.JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
    return arrivals.Record(arrived, key, body.RootElement) is { } problem
        ? Results.Text(problem, statusCode: StatusCodes.Status400BadRequest)
        : Results.Ok();
});
app.MapGet("/count", (Arrivals arrivals) => Results.Text(arrivals.Summary()));
app.MapGet("/records", (Arrivals arrivals) => Results.Text(arrivals.Tsv(), "text/tab-separated-values"));
app.MapPost("/reset", (Arrivals arrivals) =>
{
    arrivals.Clear();
    return Results.Ok();
});
await app.RunAsync().ConfigureAwait(false);
