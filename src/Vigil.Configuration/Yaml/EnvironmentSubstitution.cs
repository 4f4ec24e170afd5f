using System.Text;

namespace Vigil.Configuration.Yaml;

/// <summary><c>${NAME}</c> and <c>${NAME:-default}</c> in scalar values; <c>$${</c> writes a literal <c>${</c>.
/// As in a shell, the default applies when the variable is unset or empty. <c>substituted</c> tells whether
/// a value really came from the environment (a default written in the file is no secret).</summary>
internal static class EnvironmentSubstitution
{
    public readonly record struct Failure(int Offset, string Message);

    public static string Substitute(string text, IReadOnlyDictionary<string, string?> env, out bool substituted, List<Failure> failures)
    {
        substituted = false;
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                sb.Append("${");
                i += 3;
                continue;
            }

            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] != '{')
            {
                sb.Append(text[i]);
                i++;
                continue;
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                failures.Add(new Failure(i, "'${' is not closed by '}'; write ${NAME} or ${NAME:-default} (or $${ for a literal ${)"));
                return text;
            }

            var inner = text[(i + 2)..close];
            var separator = inner.IndexOf(":-", StringComparison.Ordinal);
            var name = separator < 0 ? inner : inner[..separator];
            string? fallback = separator < 0 ? null : inner[(separator + 2)..];
            if (!IsName(name))
            {
                failures.Add(new Failure(i, $"'${{{name}}}' is not a variable reference; names are letters, digits and '_', not starting with a digit"));
                sb.Append(text, i, close - i + 1);
                i = close + 1;
                continue;
            }

            env.TryGetValue(name, out var value);
            if (string.IsNullOrEmpty(value) && fallback is not null)
            {
                value = fallback;
            }
            else if (value is not null)
            {
                substituted = true;
            }

            if (value is null)
            {
                failures.Add(new Failure(i, $"the environment variable {name} is not set (write ${{{name}:-default}} to give a default)"));
            }
            else
            {
                sb.Append(value);
            }

            i = close + 1;
        }

        return sb.ToString();
    }

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
