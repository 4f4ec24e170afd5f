using System.Globalization;

namespace Vigil.Storage.Sqlite;

/// <summary>
/// Instants in SQLite columns: UTC text with exactly seven fractional digits and <c>Z</c>. Fixed width makes
/// text order equal time order, so <c>&lt;=</c>, <c>min()</c> and <c>ORDER BY</c> work on the column as is;
/// seven digits keep every tick, so what the evaluator wrote is what it reads back; and the column is
/// readable by an operator with the sqlite3 shell, as the spec's "every instant is UTC with Z" asks.
/// </summary>
internal static class SqliteTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static object ToDb(DateTimeOffset? value) => value is { } v ? ToText(v) : DBNull.Value;

    public static DateTimeOffset Parse(string text)
    {
        var utc = DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        return new DateTimeOffset(utc.Ticks, TimeSpan.Zero);
    }
}
