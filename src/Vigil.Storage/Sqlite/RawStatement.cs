using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Vigil.Storage.Sqlite;

/// <summary>
/// One statement prepared once on the write connection and run many times, through SQLite's own API.
/// Microsoft.Data.Sqlite's commands look every parameter up by name and build a data reader on each
/// execution; on the durable-ping path that overhead is most of a row's cost, so the writer binds by
/// position and steps the statement directly. Parameters are bound in the order they are listed when the
/// statement is prepared, and preparation checks that this is the order they first appear in the SQL.
/// Not thread-safe, like the connection it belongs to.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _count;
    private int _next;

    public RawStatement(SqliteConnection connection, string sql, params string[] parameters)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _count = raw.sqlite3_bind_parameter_count(_statement);
        if (_count != parameters.Length)
        {
            throw new ArgumentException($"the statement has {_count} parameters, {parameters.Length} were named: {sql}", nameof(parameters));
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            if (raw.sqlite3_bind_parameter_index(_statement, parameters[i]) != i + 1)
            {
                throw new ArgumentException($"parameter {parameters[i]} is not number {i + 1} in: {sql}", nameof(parameters));
            }
        }
    }

    public RawStatement Text(string? value) => Bound(value is null
        ? raw.sqlite3_bind_null(_statement, ++_next)
        : raw.sqlite3_bind_text(_statement, ++_next, value));

    public RawStatement Int(long? value) => Bound(value is { } v
        ? raw.sqlite3_bind_int64(_statement, ++_next, v)
        : raw.sqlite3_bind_null(_statement, ++_next));

    public RawStatement Real(double? value) => Bound(value is { } v
        ? raw.sqlite3_bind_double(_statement, ++_next, v)
        : raw.sqlite3_bind_null(_statement, ++_next));

    public RawStatement Flag(bool value) => Int(value ? 1 : 0);

    public RawStatement Instant(DateTimeOffset? value) => Text(value is { } v ? SqliteTime.ToText(v) : null);

    public RawStatement Id(Guid? value) => Text(value is { } v ? SqliteValues.Text(v) : null);

    /// <summary>Runs the statement; returns the number of rows it changed.</summary>
    public int Execute()
    {
        var rc = BeginStep();
        try
        {
            return rc == raw.SQLITE_DONE ? raw.sqlite3_changes(_db) : throw Error(rc);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs a statement that returns one integer (<c>RETURNING id</c>).</summary>
    public long ExecuteInt64()
    {
        var rc = BeginStep();
        try
        {
            if (rc != raw.SQLITE_ROW)
            {
                throw Error(rc);
            }

            var value = raw.sqlite3_column_int64(_statement, 0);
            rc = raw.sqlite3_step(_statement);
            return rc == raw.SQLITE_DONE ? value : throw Error(rc);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Forgets a half-bound use (one that failed before it ran), so the next starts at the first parameter.</summary>
    public void Abandon()
    {
        if (_next != 0)
        {
            _next = 0;
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private int BeginStep()
    {
        if (_next != _count)
        {
            var bound = _next;
            _next = 0;
            raw.sqlite3_clear_bindings(_statement);
            throw new InvalidOperationException($"{bound} of {_count} parameters were bound");
        }

        _next = 0;
        return raw.sqlite3_step(_statement);
    }

    private RawStatement Bound(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            // Start the next use from the first parameter again.
            _next = 0;
            throw Error(rc);
        }

        return this;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }

    /// <summary>The same exception Microsoft.Data.Sqlite would throw, so callers handle one type.</summary>
    private Exception Error(int rc)
    {
        try
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
            return new SqliteException($"SQLite error {rc}", rc);
        }
        catch (SqliteException ex)
        {
            return ex;
        }
    }
}
