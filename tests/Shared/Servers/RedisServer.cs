using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Testing;

/// <summary>
/// A throwaway Redis: Debian's <c>redis-server</c> on a free loopback port, persistence off
/// (<c>--save "" --appendonly no</c>), its working directory a temp directory; killed and the directory deleted
/// in <see cref="DisposeAsync"/>. <see cref="CommandAsync"/> speaks RESP directly, so test setup needs no client.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }
    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string.</summary>
    public string Connection => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vigil-redis-").FullName;
        var port = Ports.Free();
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--save", "", "--appendonly", "no", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start redis-server; eng/test.sh installs it");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, port);
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return await server.CommandAsync("PING").ConfigureAwait(false) == "PONG";
            }
            catch (SocketException)
            {
                return false;
            }
        }, "redis-server to answer PING").ConfigureAwait(false);
        return server;
    }

    /// <summary>Sends one command and returns its reply as text (integers and bulk strings; null as null).</summary>
    public async Task<string?> CommandAsync(params string[] args)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString())).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var line = await reader.ReadLineAsync().ConfigureAwait(false) ?? throw new IOException("redis closed the connection");
        switch (line[0])
        {
            case '+' or ':':
                return line[1..];
            case '-':
                throw new InvalidOperationException($"redis: {line[1..]}");
            case '$' when line == "$-1":
                return null;
            case '$':
                return await reader.ReadLineAsync().ConfigureAwait(false);
            default:
                throw new IOException($"unexpected redis reply '{line}'");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
