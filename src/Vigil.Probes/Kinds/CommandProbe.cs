using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>command</c>: runs the config's argv directly (no shell), with stdin closed and output captured up to a
/// bound. On the timeout (or shutdown) the whole process tree is killed. Without conditions the exit status is
/// read the Nagios plugin way — 0 ok, 1 warning, 2 critical, anything else unmeasurable — with the first line of
/// output (before any "|" performance data) as the reason; with conditions it yields <c>exit_status</c> and
/// <c>value</c>, the number on the first line of stdout.
/// </summary>
internal sealed class CommandProbe(CommandProbeDefinition definition, ProbeRules rules, TimeProvider time) : IProbeReader
{
    /// <summary>A plugin's answer is a line or two; the rest is drained, not kept. The default value is 64 KiB.</summary>
    private const int OutputLimit = 64 << 10;

    /// <summary>How long to wait for the killed tree to be reaped. The default value is 5 seconds.</summary>
    private static readonly TimeSpan ReapTimeout = TimeSpan.FromSeconds(5);

    public string Subject { get; } = Path.GetFileName(definition.Run[0]);

    public string TimedOut(TimeSpan timeout) =>
        $"{Subject} was still running after {Phrasing.Duration(timeout.TotalSeconds)} (the probe's timeout); its process tree was killed";

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(definition.Run[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in definition.Run.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"cannot run {definition.Run[0]}: {ex.Message}");
        }

        process.StandardInput.Close();
        var stdout = CaptureAsync(process.StandardOutput);
        var stderr = CaptureAsync(process.StandardError);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(ReapTimeout, time, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        var at = time.GetUtcNow();
        var code = process.ExitCode;
        var line = FirstLine(output) ?? FirstLine(errors);
        var q = new Dictionary<string, double> { [Quantity.ExitStatus] = code };
        if (!rules.HasConditions)
        {
            var reason = line ?? $"{Subject} exited with status {code}";
            return code switch
            {
                0 => ProbeReading.Decided(at, Subject, Level.Ok, reason, q),
                1 => ProbeReading.Decided(at, Subject, Level.Warning, reason, q),
                2 => ProbeReading.Decided(at, Subject, Level.Critical, reason, q),
                _ => ProbeReading.Unmeasurable(at, Subject, $"{Subject} exited with status {code}{(code == 3 ? " (UNKNOWN)" : "")}{(line is null ? "" : ": " + line)}", q),
            };
        }

        var phrases = new Dictionary<string, string>();
        if (FirstLine(output) is { } first && double.TryParse(first.Split(' ', '\t')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            q[Quantity.Value] = value;
            phrases[Quantity.Value] = $"{Subject} printed {Phrasing.Number(value)}";
        }

        return ProbeReading.Measured(at, Subject, q, phrases);
    }

    private static async Task<string> CaptureAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (kept.Length < OutputLimit)
            {
                kept.Append(buffer, 0, Math.Min(read, OutputLimit - kept.Length));
            }
        }

        return kept.ToString();
    }

    /// <summary>The first non-empty line without Nagios performance data ("DISK OK - 42% free | /=…").</summary>
    private static string? FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (line is null)
        {
            return null;
        }

        var bar = line.IndexOf('|', StringComparison.Ordinal);
        line = (bar >= 0 ? line[..bar] : line).Trim();
        return line.Length == 0 ? null : line;
    }
}
