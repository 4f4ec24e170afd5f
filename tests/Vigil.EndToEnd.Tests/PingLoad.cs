using System.Collections.Concurrent;
using System.Net;

namespace Vigil.EndToEnd.Tests;

/// <summary>Several concurrent clients pinging one check by UUID, each ping with its own <c>?rid=</c>, recording
/// every ping the server acknowledged with 200.</summary>
internal sealed class PingLoad
{
    private readonly ConcurrentDictionary<Guid, byte> _acknowledged = new();
    private long _failed;

    public IReadOnlyCollection<Guid> Acknowledged => [.. _acknowledged.Keys];

    public int AcknowledgedCount => _acknowledged.Count;

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Runs <paramref name="clients"/> loops until <paramref name="stop"/> fires.</summary>
    public Task RunAsync(string baseUrl, Guid uuid, int clients, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => ClientAsync(baseUrl, uuid, stop), CancellationToken.None)));

    private async Task ClientAsync(string baseUrl, Guid uuid, CancellationToken stop)
    {
        // One connection per client, like separate cron jobs.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, ConnectTimeout = TimeSpan.FromSeconds(2) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(15) };
        while (!stop.IsCancellationRequested)
        {
            var rid = Guid.NewGuid();
            try
            {
                // Not cancelled by `stop`: a ping in flight when the load stops still gets its answer.
                using var response = await http.GetAsync(new Uri($"/ping/{uuid}?rid={rid}", UriKind.Relative), CancellationToken.None).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    _acknowledged.TryAdd(rid, 0);
                }
                else
                {
                    Interlocked.Increment(ref _failed);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                // Connection refused or reset: the server is gone; this ping was never acknowledged. (A connect that
                // succeeds just as kill -9 lands surfaces as a bare SocketException from the handler.)
                Interlocked.Increment(ref _failed);
                try
                {
                    await Task.Delay(20, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
