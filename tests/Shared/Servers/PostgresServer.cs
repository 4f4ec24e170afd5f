namespace Vigil.Testing;

/// <summary>
/// A throwaway PostgreSQL: Debian's binaries (/usr/lib/postgresql/N/bin), <c>initdb</c> into a temp directory,
/// <c>pg_ctl start</c> on a free loopback port with the unix socket in that directory, one database created;
/// stopped with <c>pg_ctl stop -m immediate</c> and the directory deleted in <see cref="DisposeAsync"/>.
/// initdb refuses to run as root, so as root the directory is chowned to the <c>postgres</c> user (created by
/// the Debian package) and every tool runs through <c>runuser -u postgres --</c>; as any other user they run
/// directly. Trust authentication on loopback only; fsync off, since the data is thrown away.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;

    private PostgresServer(string bin, string directory, int port, string database)
    {
        _bin = bin;
        Directory = directory;
        _data = Path.Combine(directory, "data");
        Port = port;
        Database = database;
    }

    public string Directory { get; }
    public int Port { get; }
    public string Database { get; }

    /// <summary>An Npgsql connection string for the created database, as the superuser <c>postgres</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={Database};Pooling=false";

    public static string? FindBinaries() =>
        System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    public static async Task<PostgresServer> StartAsync(string database = "vigil_test")
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb); eng/test.sh installs it");
        var directory = System.IO.Directory.CreateTempSubdirectory("vigil-pg-").FullName;
        var server = new PostgresServer(bin, directory, Ports.Free(), database);
        try
        {
            if (Tool.IsRoot)
            {
                await Tool.RunAsync("chown", ["-R", "postgres:postgres", directory]).ConfigureAwait(false);
            }

            await server.AsOwner("initdb", "-D", server._data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions").ConfigureAwait(false);
            var options = $"-p {server.Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            await server.AsOwner("pg_ctl", "-D", server._data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", options, "start").ConfigureAwait(false);
            await server.AsOwner("createdb", "-h", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", database).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a PostgreSQL tool as the owner of the data directory.</summary>
    private Task<string> AsOwner(string tool, params string[] args) =>
        Tool.IsRoot
            ? Tool.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : Tool.RunAsync(Path.Combine(_bin, tool), args);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            {
                await AsOwner("pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop").ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped; the directory goes anyway.
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
