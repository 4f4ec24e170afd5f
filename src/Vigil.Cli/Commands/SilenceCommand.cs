using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Domain.Time;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil silence add --check C | --tag T --for D --reason R</c> · <c>list</c> · <c>expire ID</c>.</summary>
internal static class SilenceCommand
{
    public static Command Create()
    {
        var silence = new Command("silence", "mute matching alerts for a while; what is still owed when it ends is sent then");

        var check = new Option<string?>("--check") { Description = "a check name or a glob such as harvest-*" };
        var tag = new Option<string[]>("--tag") { Description = "a tag the checks must have (repeatable)", AllowMultipleArgumentsPerToken = false };
        var severity = new Option<string?>("--severity") { Description = "critical or warning" };
        severity.AcceptOnlyFromAmong("critical", "warning");
        var length = new Option<string>("--for") { Required = true, Description = "how long, such as 2h or 90m" };
        var reason = new Option<string>("--reason") { Required = true, Description = "why (shown with every held-back alert)" };
        var add = new Command("add", "silence alerts now for a while") { check, tag, severity, length, reason };
        Verb.Action(add, async (cli, parse, ct) =>
        {
            if (!Durations.TryParse(parse.GetValue(length), out _, out var error))
            {
                throw new UsageException($"--for {error}");
            }

            var match = new JsonObject();
            if (parse.GetValue(check) is { } c) match["check"] = c;
            if (parse.GetValue(tag) is { Length: > 0 } tags) match["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)JsonValue.Create(t))]);
            if (parse.GetValue(severity) is { } s) match["severity"] = s;
            if (match.Count == 0)
            {
                throw new UsageException("say what to silence: --check, --tag or --severity (a silence of everything must be explicit: --check '*')");
            }

            using var client = cli.CreateClient();
            var created = await client.AddSilenceAsync(new JsonObject
            {
                ["match"] = match,
                ["duration"] = parse.GetValue(length),
                ["reason"] = parse.GetValue(reason),
            }, ct).ConfigureAwait(false);
            Console.WriteLine(cli.Json ? created.GetRawText()
                : $"{created.GetProperty("id").GetString()}  until {created.GetProperty("ends_at").GetString()}");
            return ExitCodes.Ok;
        });

        var list = new Command("list", "pending and active silences, and the config's maintenance windows");
        Verb.Action(list, async (cli, parse, ct) =>
        {
            using var client = cli.CreateClient();
            var all = await client.ListSilencesAsync(ct).ConfigureAwait(false);
            if (cli.Json)
            {
                Console.WriteLine(all.GetRawText());
                return ExitCodes.Ok;
            }

            foreach (var s in all.GetProperty("silences").EnumerateArray())
            {
                Console.WriteLine($"{s.GetProperty("id").GetString()}  {s.GetProperty("state").GetString(),-7}  {s.GetProperty("starts_at").GetString()} → {s.GetProperty("ends_at").GetString()}  {Describe(s.GetProperty("match"))}  by {s.GetProperty("created_by").GetString() ?? "?"}: {s.GetProperty("reason").GetString()}");
            }

            foreach (var w in all.GetProperty("windows").EnumerateArray())
            {
                Console.WriteLine($"window  cron '{w.GetProperty("cron").GetString()}' {w.GetProperty("tz").GetString()} for {Durations.Format(TimeSpan.FromSeconds(w.GetProperty("duration_s").GetDouble()))}  {Describe(w.GetProperty("match"))}");
            }

            return ExitCodes.Ok;
        });

        var id = new Argument<string>("ID");
        var expire = new Command("expire", "end a silence now") { id };
        Verb.Action(expire, async (cli, parse, ct) =>
        {
            if (!Guid.TryParse(parse.GetValue(id), out var silenceId))
            {
                throw new UsageException($"'{parse.GetValue(id)}' is not a silence id (vigil silence list shows them)");
            }

            using var client = cli.CreateClient();
            var expired = await client.ExpireSilenceAsync(silenceId, ct).ConfigureAwait(false);
            Console.WriteLine(cli.Json ? expired.GetRawText() : $"expired {silenceId}");
            return ExitCodes.Ok;
        });

        silence.Subcommands.Add(add);
        silence.Subcommands.Add(list);
        silence.Subcommands.Add(expire);
        return silence;
    }

    private static string Describe(JsonElement match)
    {
        var parts = new List<string>();
        if (match.TryGetProperty("check", out var c) && c.ValueKind == JsonValueKind.String) parts.Add($"check {c.GetString()}");
        if (match.TryGetProperty("tags", out var t) && t.GetArrayLength() > 0) parts.Add($"tags {string.Join(",", t.EnumerateArray().Select(x => x.GetString()))}");
        if (match.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String) parts.Add($"severity {s.GetString()}");
        return parts.Count == 0 ? "everything" : string.Join(" ", parts);
    }
}
