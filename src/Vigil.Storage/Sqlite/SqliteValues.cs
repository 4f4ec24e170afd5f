using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Vigil.Storage.Sqlite;

/// <summary>Conversions between domain values and SQLite cells that every statement shares. Guids are bound as
/// text on purpose: Microsoft.Data.Sqlite binds them as 16-byte blobs by default, which an operator cannot read
/// and which sort differently from their text.</summary>
internal static class SqliteValues
{
    public static string Text(Guid value) => value.ToString("D", CultureInfo.InvariantCulture);

    public static string? NullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? NullableInt(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    public static double? NullableDouble(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    public static Guid GuidText(this SqliteDataReader reader, int ordinal) =>
        Guid.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture);

    public static Guid? NullableGuid(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GuidText(ordinal);

    public static DateTimeOffset Instant(this SqliteDataReader reader, int ordinal) =>
        SqliteTime.Parse(reader.GetString(ordinal));

    public static DateTimeOffset? NullableInstant(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.Instant(ordinal);

    public static bool Flag(this SqliteDataReader reader, int ordinal) => reader.GetInt64(ordinal) != 0;
}
