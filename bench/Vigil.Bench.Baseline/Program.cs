// The baseline for bench/run.sh: the same host Vigil builds (slim builder, Kestrel defaults, no Server
// header, ASP.NET Core logs at Warning) with one endpoint on Vigil's ping route that does no work at all.
// Anything Vigil costs beyond this is Vigil's own: the ping parsing, the rate limiter, the writer loop and
// the SQLite commit.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
app.MapMethods("/ping/{id}", ["GET", "POST"], (string id) => Results.Text("OK"));
await app.RunAsync().ConfigureAwait(false);
