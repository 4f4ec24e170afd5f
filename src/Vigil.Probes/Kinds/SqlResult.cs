using System.Data.Common;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>What a probe query returned, the same for SQLite and PostgreSQL: <c>rows</c> counts every row,
/// the first column of the first row is the value (a number, or a timestamp giving <c>age</c>).</summary>
internal static class SqlResult
{
    public static async Task<ProbeReading> ReadAsync(DbDataReader reader, SqlProbeDefinition d, string subject, long started, TimeProvider time, CancellationToken ct)
    {
        object? first = null;
        long rows = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (rows++ == 0 && d.Value != ValueKind.Rows)
            {
                first = reader.FieldCount == 0 ? null : reader.GetValue(0);
            }
        }

        var at = time.GetUtcNow();
        var q = new Dictionary<string, double>
        {
            [Quantity.Rows] = rows,
            [Quantity.Latency] = time.GetElapsedTime(started).TotalSeconds,
        };
        var phrases = new Dictionary<string, string> { [Quantity.Rows] = $"{subject} returned {rows} row{(rows == 1 ? "" : "s")}" };
        if (d.Value == ValueKind.Rows)
        {
            q[Quantity.Value] = rows;
            return ProbeReading.Measured(at, subject, q, phrases);
        }

        if (rows == 0)
        {
            return ProbeReading.Unmeasurable(at, subject, $"{subject} returned no rows, so there is no value to read", q);
        }

        var valueSubject = $"the value of {subject}";
        return ValueReading.Add(first, d.Value, at, valueSubject, q) is { } problem
            ? ProbeReading.Unmeasurable(at, subject, problem, q)
            : ProbeReading.Measured(at, valueSubject, q, phrases);
    }
}
