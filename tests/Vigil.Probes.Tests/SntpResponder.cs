using System.Net;
using System.Net.Sockets;
using Vigil.Probes.Kinds;

namespace Vigil.Probes.Tests;

/// <summary>A small SNTP server on a loopback UDP port whose clock is the test's clock plus an offset it controls.
/// It echoes the client's transmit timestamp as the originate timestamp, as RFC 4330 requires.</summary>
internal sealed class SntpResponder : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SntpResponder(TimeProvider clock, TimeSpan offset, byte stratum = 2)
    {
        Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult request;
                try
                {
                    request = await _udp.ReceiveAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var reply = new byte[48];
                reply[0] = 0b00_100_100; // LI 0, version 4, mode 4 (server)
                reply[1] = stratum;
                request.Buffer.AsSpan(40, 8).CopyTo(reply.AsSpan(24));
                var now = clock.GetUtcNow() + offset;
                NtpProbe.WriteTimestamp(reply.AsSpan(32), now);
                NtpProbe.WriteTimestamp(reply.AsSpan(40), now);
                await _udp.SendAsync(reply, request.RemoteEndPoint);
            }
        });
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _udp.Dispose();
        _stop.Dispose();
    }
}
