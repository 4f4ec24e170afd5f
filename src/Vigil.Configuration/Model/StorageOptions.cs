namespace Vigil.Configuration;

public enum StorageProvider { Sqlite, Postgres }

/// <summary>The <c>storage</c> section: exactly one of SQLite (an absolute file path) or PostgreSQL.</summary>
public sealed record StorageOptions
{
    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>The SQLite file when <see cref="Provider"/> is SQLite.</summary>
    public string? SqlitePath { get; init; }

    /// <summary>The connection string when <see cref="Provider"/> is PostgreSQL (it usually holds a password).</summary>
    public Secret? PostgresConnectionString { get; init; }

    public static StorageOptions SqliteIn(string dataDirectory) =>
        new() { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(dataDirectory, "vigil.db") };
}
