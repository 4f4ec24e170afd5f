using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>file</c>: the age of the file's modification time, or a timestamp or number read from it by JSONPath or
/// by a regular expression's first group; <c>bytes</c> is its size. The file is opened for reading only
/// (FileMode.Open: a missing file or directory is reported, never created) and shared with its writers.
/// </summary>
internal sealed class FileProbe : IProbeReader
{
    /// <summary>Files read for a value are small (a token, a state file); larger ones are refused. The default value is 16 MiB.</summary>
    private const int ReadLimit = 16 << 20;

    private readonly FileProbeDefinition _d;
    private readonly TimeProvider _time;
    private readonly JsonPath? _json;
    private readonly Regex? _regex;

    public FileProbe(FileProbeDefinition definition, TimeProvider time)
    {
        _d = definition;
        _time = time;
        _json = definition.Json is null ? null : JsonPath.Parse(definition.Json);
        _regex = definition.Regex is null ? null : new Regex(definition.Regex, RegexOptions.CultureInvariant | RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        Subject = definition.Json is { } json ? $"{definition.Path}'s {json}" : definition.Path;
    }

    public string Subject { get; }

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(_d.Path);
        if (!info.Exists)
        {
            var why = Directory.Exists(Path.GetDirectoryName(_d.Path)) ? "does not exist" : "does not exist (nor does its directory)";
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), _d.Path, $"{_d.Path} {why}");
        }

        var q = new Dictionary<string, double> { [Quantity.Bytes] = info.Length };
        if (_d.ReadsModificationTime)
        {
            var at = _time.GetUtcNow();
            var modified = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
            q[Quantity.Age] = (at - modified).TotalSeconds;
            return ProbeReading.Measured(at, _d.Path, q, new Dictionary<string, string>
            {
                [Quantity.Age] = ProbeJudge.Phrase(new ProbeReading { At = at, Subject = $"{_d.Path} (last modified)" }, Quantity.Age, q[Quantity.Age]),
            });
        }

        if (info.Length > ReadLimit)
        {
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), _d.Path, $"{_d.Path} is {Phrasing.Bytes(info.Length)}; a file probe reads files up to {Phrasing.Bytes(ReadLimit)}", q);
        }

        string text;
        try
        {
            var stream = new FileStream(_d.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), _d.Path, $"cannot read {_d.Path}: {ex.Message}", q);
        }

        var now = _time.GetUtcNow();
        object? raw;
        if (_json is not null)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(text);
            }
            catch (JsonException ex)
            {
                return ProbeReading.Unmeasurable(now, Subject, $"{_d.Path} is not JSON: {ex.Message}", q);
            }

            if (!_json.TrySelect(root, out var node, out var missing))
            {
                return ProbeReading.Unmeasurable(now, Subject, $"{_d.Path}: {missing}", q);
            }

            raw = node;
        }
        else
        {
            var match = _regex!.Match(text);
            if (!match.Success)
            {
                return ProbeReading.Unmeasurable(now, Subject, $"{_d.Path}: nothing matches {_d.Regex}", q);
            }

            raw = match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
        }

        var subject = _json is not null ? Subject : $"the value {_d.Regex} reads from {_d.Path}";
        return ValueReading.Add(raw, _d.Value, now, subject, q) is { } problem
            ? ProbeReading.Unmeasurable(now, subject, problem, q)
            : ProbeReading.Measured(now, subject, q, new Dictionary<string, string> { [Quantity.Bytes] = $"{_d.Path} is {Phrasing.Bytes(info.Length)}" });
    }
}
