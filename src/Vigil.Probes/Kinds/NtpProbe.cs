using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>ntp</c>: SNTP (RFC 4330) by hand — one 48-byte request, one reply — because no maintained package does
/// this small thing well. Servers are tried in order, each given an equal share of the timeout; the first valid
/// reply wins. offset = ((T2 − T1) + (T3 − T4)) / 2 and round trip = (T4 − T1) − (T3 − T2), where T1 and T4 are
/// Vigil's clock at send and receive (T4 is T1 plus the monotonic time elapsed, so a clock step during the
/// exchange cannot distort it). <c>skew</c> is |offset|; <c>latency</c> the round trip.
/// </summary>
internal sealed class NtpProbe(NtpProbeDefinition definition, TimeProvider time) : IProbeReader
{
    private static readonly DateTimeOffset Era0 = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // RFC 4330 §3: timestamps with the high bit clear are in era 1, which starts 2036-02-07T06:28:16Z.
    private static readonly DateTimeOffset Era1 = Era0.AddSeconds(4294967296d);

    public string Subject { get; } = $"NTP {string.Join(", ", definition.Servers)}";

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var share = definition.Timeout / definition.Servers.Count;
        var failures = new List<string>();
        foreach (var server in definition.Servers)
        {
            using var attempt = new CancellationTokenSource(share, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
            try
            {
                return await AskAsync(server, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{server}: no answer within {Phrasing.Duration(share.TotalSeconds)}");
            }
            catch (SocketException ex)
            {
                failures.Add($"{server}: {ex.Message}");
            }
            catch (InvalidDataException ex)
            {
                failures.Add($"{server}: {ex.Message}");
            }
        }

        return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"no NTP server answered ({string.Join("; ", failures)})");
    }

    /// <summary>The reason when the whole run is cut: each server's share was spent without an answer.</summary>
    public string TimedOut(TimeSpan timeout) => $"no NTP server answered within {Phrasing.Duration(timeout.TotalSeconds)} ({string.Join(", ", definition.Servers)})";

    private async Task<ProbeReading> AskAsync(HostPort server, CancellationToken ct)
    {
        var addresses = await Dns.GetHostAddressesAsync(server.Host, ct).ConfigureAwait(false);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        using var udp = new UdpClient(address.AddressFamily);
        // Connected, so that an ICMP "port unreachable" surfaces as a refused receive instead of a silent wait.
        udp.Connect(address, server.Port);

        var request = new byte[48];
        request[0] = 0b00_100_011; // LI 0, version 4, mode 3 (client)
        var t1 = time.GetUtcNow();
        var sent = time.GetTimestamp();
        WriteTimestamp(request.AsSpan(40), t1);
        await udp.SendAsync(request, ct).ConfigureAwait(false);

        while (true)
        {
            var reply = (await udp.ReceiveAsync(ct).ConfigureAwait(false)).Buffer;
            var t4 = t1 + time.GetElapsedTime(sent);
            // A reply that does not echo our transmit timestamp is not the answer to this request (RFC 4330 §5).
            if (reply.Length < 48 || !reply.AsSpan(24, 8).SequenceEqual(request.AsSpan(40, 8)))
            {
                continue;
            }

            var mode = reply[0] & 0b111;
            var leap = reply[0] >> 6;
            var stratum = reply[1];
            if (mode is not (4 or 5))
            {
                throw new InvalidDataException($"answered in mode {mode}, not as a server");
            }

            if (stratum == 0)
            {
                var code = Encoding.ASCII.GetString(reply, 12, 4).TrimEnd('\0');
                throw new InvalidDataException($"refused to answer (kiss-o'-death {code})");
            }

            if (leap == 3)
            {
                throw new InvalidDataException("is not synchronized itself (leap indicator 3)");
            }

            var t2 = ReadTimestamp(reply.AsSpan(32));
            var t3 = ReadTimestamp(reply.AsSpan(40));
            var offset = ((t2 - t1) + (t3 - t4)) / 2;
            var roundTrip = (t4 - t1) - (t3 - t2);
            var q = new Dictionary<string, double>
            {
                [Quantity.Skew] = Math.Abs(offset.TotalSeconds),
                [Quantity.Latency] = Math.Max(0, roundTrip.TotalSeconds),
            };
            var direction = offset > TimeSpan.Zero ? "behind" : "ahead of";
            return ProbeReading.Measured(time.GetUtcNow(), Subject, q, new Dictionary<string, string>
            {
                [Quantity.Skew] = $"Vigil's clock is {Phrasing.Duration(q[Quantity.Skew])} {direction} {server} (round trip {Phrasing.Duration(q[Quantity.Latency])})",
                [Quantity.Latency] = $"{server} answered in {Phrasing.Duration(q[Quantity.Latency])}",
            });
        }
    }

    internal static void WriteTimestamp(Span<byte> to, DateTimeOffset t)
    {
        var since = t - Era0;
        var seconds = (ulong)Math.Floor(since.TotalSeconds);
        var fraction = (uint)((since.Ticks % TimeSpan.TicksPerSecond) * 4294967296d / TimeSpan.TicksPerSecond);
        BinaryPrimitives.WriteUInt32BigEndian(to, (uint)(seconds & 0xFFFF_FFFF));
        BinaryPrimitives.WriteUInt32BigEndian(to[4..], fraction);
    }

    internal static DateTimeOffset ReadTimestamp(ReadOnlySpan<byte> from)
    {
        var seconds = BinaryPrimitives.ReadUInt32BigEndian(from);
        var fraction = BinaryPrimitives.ReadUInt32BigEndian(from[4..]);
        var era = (seconds & 0x8000_0000) != 0 ? Era0 : Era1;
        return era.AddTicks((long)seconds * TimeSpan.TicksPerSecond + (long)(fraction / 4294967296d * TimeSpan.TicksPerSecond));
    }
}
