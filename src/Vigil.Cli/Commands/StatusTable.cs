using System.Text;
using Vigil.Client;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

/// <summary>The table <c>vigil status</c> prints: aligned columns, relative and UTC times, colour on a terminal.</summary>
internal static class StatusTable
{
    private static readonly string[] Headers = ["NAME", "STATUS", "LEVEL", "LAST SIGNAL", "NEXT DEADLINE", "DATA AGE"];

    public static string Render(IReadOnlyList<CheckInfo> checks, DateTimeOffset now, bool colour)
    {
        if (checks.Count == 0)
        {
            return "no checks yet: declare them in vigil.yaml, PUT /api/v1/checks/{name}, or ping with ?create=1\n";
        }

        var rows = checks.Select(c => new[]
        {
            c.Name,
            c.Status + (c.Started ? " (running)" : "") + (c.Flapping ? " (flapping)" : ""),
            c.Level,
            When(c.LastSignalAt, now),
            When(c.NextDeadlineAt, now),
            c.DataAgeS is { } age ? Durations.Format(TimeSpan.FromSeconds(Math.Round(age))) : "-",
        }).ToList();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", Headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Select((cell, i) => cell.PadRight(widths[i])).ToArray();
            if (colour)
            {
                cells[1] = Paint(cells[1], checks[r].Status switch { "up" => "32", "down" => "31", "grace" => "33", _ => "90" });
                cells[2] = Paint(cells[2], checks[r].Level switch { "critical" => "31", "warning" => "33", _ => "32" });
            }

            sb.AppendLine(string.Join("  ", cells).TrimEnd());
        }

        return sb.ToString();
    }

    private static string Paint(string text, string code) => $"\u001b[{code}m{text}\u001b[0m";

    public static string When(DateTimeOffset? instant, DateTimeOffset now)
    {
        if (instant is not { } t)
        {
            return "-";
        }

        var delta = now - t;
        var span = Durations.Format(TimeSpan.FromSeconds(Math.Round(Math.Abs(delta.TotalSeconds))));
        var relative = delta >= TimeSpan.Zero ? $"{span} ago" : $"in {span}";
        return $"{relative} ({t.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)";
    }
}
