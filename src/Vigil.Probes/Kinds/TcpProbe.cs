using System.Net.Sockets;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary><c>tcp</c>: opens a connection and closes it at once; nothing is sent. <c>latency</c> is the connect time.</summary>
internal sealed class TcpProbe(TcpProbeDefinition definition, TimeProvider time) : IProbeReader
{
    public string Subject { get; } = $"TCP {new HostPort(definition.Host, definition.Port)}";

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(definition.Host, definition.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{Subject}: cannot connect: {ex.Message}");
        }

        var latency = time.GetElapsedTime(started).TotalSeconds;
        return ProbeReading.Measured(time.GetUtcNow(), Subject, new Dictionary<string, double> { [Quantity.Latency] = latency },
            new Dictionary<string, string> { [Quantity.Latency] = $"{Subject} accepted a connection in {Phrasing.Duration(latency)}" });
    }
}
