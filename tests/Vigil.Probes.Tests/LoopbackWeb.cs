using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Probes.Tests;

/// <summary>A real Kestrel on a loopback port chosen by the OS, plain or with a given certificate.</summary>
internal sealed class LoopbackWeb : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackWeb(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public int Port => Url.Port;

    public Uri At(string path) => new(Url, path);

    public static async Task<LoopbackWeb> StartAsync(Action<WebApplication> routes, X509Certificate2? certificate = null,
        TimeSpan? keepAliveTimeout = null, Action<string>? connectionClosed = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.KeepAliveTimeout = keepAliveTimeout ?? k.Limits.KeepAliveTimeout;
            k.Listen(System.Net.IPAddress.Loopback, 0, listen =>
            {
                if (connectionClosed is not null)
                {
                    listen.Use(next => async connection =>
                    {
                        try
                        {
                            await next(connection);
                        }
                        finally
                        {
                            connectionClosed(connection.ConnectionId);
                        }
                    });
                }

                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        routes(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackWeb(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
