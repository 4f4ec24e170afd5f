namespace Vigil.Domain.Notifications;

/// <summary>A check name or a glob over names (<c>*</c> any run of characters, <c>?</c> one), as routes and silences
/// match them. Names cannot contain either character, so a plain name matches only itself.</summary>
public static class CheckPattern
{
    public static bool IsGlob(string pattern) => pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal);

    /// <summary>A valid pattern: a check name, or a name with <c>*</c>/<c>?</c> in it.</summary>
    public static bool IsValid(string pattern) =>
        Checks.CheckName.IsValid(pattern.Replace('*', 'a').Replace('?', 'a'));

    public static bool Matches(string pattern, string? name)
    {
        if (name is null)
        {
            return false;
        }

        if (!IsGlob(pattern))
        {
            return string.Equals(pattern, name, StringComparison.Ordinal);
        }

        // Iterative glob with backtracking to the last star: linear in practice, no regex to compile per match.
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
