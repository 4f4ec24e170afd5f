using Microsoft.Data.Sqlite;
using Vigil.Domain.Persistence;

namespace Vigil.Storage.Sqlite;

/// <summary>Turns what went wrong opening the SQLite file into a sentence an operator can act on, naming the
/// path: Vigil refuses to start without its store, and the refusal must say what to fix.</summary>
internal static class SqliteOpenErrors
{
    // SQLite primary result codes (the low byte of an extended code).
    private const int Perm = 3;
    private const int ReadOnly = 8;
    private const int IoErr = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    public static StoreUnavailableException DirectoryFailed(string path, string directory, Exception ex) => new(
        ex is UnauthorizedAccessException
            ? $"cannot open the SQLite store at {path}: the directory {directory} cannot be created (permission denied); create it or give Vigil's user write access to its parent"
            : $"cannot open the SQLite store at {path}: the directory {directory} cannot be created ({ex.Message}); check that no part of the path is a regular file",
        ex);

    public static StoreUnavailableException From(string path, SqliteException ex)
    {
        var directory = Path.GetDirectoryName(path) ?? path;
        var why = (ex.SqliteErrorCode & 0xFF) switch
        {
            CantOpen when Directory.Exists(path) =>
                $"{path} is a directory; point storage.sqlite at a file inside it",
            CantOpen or Perm =>
                $"the file cannot be opened or created; check that the directory {directory} is writable (permission denied?) and has room",
            ReadOnly =>
                $"the file or the directory {directory} is read-only; Vigil needs to write both (the database and its -wal and -shm files)",
            NotADatabase =>
                "the file is not a SQLite database; move it aside or point storage.sqlite at another path",
            Corrupt =>
                "the database file is corrupt; restore a backup, or move the file aside to start empty",
            Full =>
                $"the disk holding {directory} is full; free space and start again",
            IoErr =>
                $"an I/O error occurred reading or writing it ({ex.Message}); check the disk and the file system",
            _ => ex.Message,
        };
        return new StoreUnavailableException($"cannot open the SQLite store at {path}: {why}", ex);
    }
}
