using System.Net;
using System.Net.Sockets;

namespace Vigil.Testing;

internal static class Ports
{
    /// <summary>A loopback port free right now (the OS picks it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A loopback port that refuses connections for as long as the returned port lives: bound, never
    /// listening. A merely free port can become some other socket's local port meanwhile (a client connecting to it
    /// can even connect to itself), and then a "refused" test hangs instead.</summary>
    public static RefusingPort Refusing() => new();
}

/// <summary>A loopback port bound and never listening: connections to it are refused until it is disposed.</summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _holder = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_holder.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => _holder.Dispose();
}
