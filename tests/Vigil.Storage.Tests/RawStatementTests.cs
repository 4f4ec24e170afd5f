using Microsoft.Data.Sqlite;
using Vigil.Storage.Sqlite;

namespace Vigil.Storage.Tests;

public sealed class RawStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public RawStatementTests()
    {
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (a TEXT NOT NULL, b INTEGER);";
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public void Prepare_ParametersListedOutOfOrder_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RawStatement(_connection, "INSERT INTO t (a, b) VALUES ($a, $b);", "$b", "$a"));

        Assert.Contains("$b is not number 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Execute_WithAParameterMissing_IsRefusedAndTheNextUseStartsClean()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (a, b) VALUES ($a, $b);", "$a", "$b");

        Assert.Throws<InvalidOperationException>(() => insert.Text("only a").Execute());

        Assert.Equal(1, insert.Text("x").Int(1).Execute());
    }

    [Fact]
    public void Execute_ViolatingAConstraint_ThrowsSqliteExceptionAndStaysUsable()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (a, b) VALUES ($a, $b);", "$a", "$b");

        var ex = Assert.Throws<SqliteException>(() => insert.Text(null).Int(1).Execute());

        Assert.Equal(19, ex.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("NOT NULL", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, insert.Text("y").Int(null).Execute());
    }

    [Fact]
    public void Abandon_AfterAHalfBoundUse_LetsTheNextUseBindFromTheStart()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (a, b) VALUES ($a, $b) RETURNING rowid;", "$a", "$b");
        insert.Text("half");

        insert.Abandon();

        Assert.Equal(1, insert.Text("whole").Int(2).ExecuteInt64());
    }
}
