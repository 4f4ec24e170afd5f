using System.Text.RegularExpressions;

namespace Vigil.Domain.Checks;

/// <summary>The slug that names a check: <c>[a-z0-9][a-z0-9._-]{0,62}</c>.</summary>
public static partial class CheckName
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    public static string Problem(string? name) =>
        $"'{name}' is not a check name: use 1 to 63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";
}
