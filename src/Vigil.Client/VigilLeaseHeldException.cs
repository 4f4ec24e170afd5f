namespace Vigil.Client;

/// <summary>
/// The check's lease is held elsewhere (its <c>concurrency</c> is reached): the job must not run now. Thrown
/// whatever <see cref="VigilClientOptions.FailOpen"/> says, because running anyway is the double run the
/// lease exists to prevent.
/// </summary>
public sealed class VigilLeaseHeldException : Exception
{
    /// <summary>Creates the exception for <paramref name="check"/> and its current holders.</summary>
    /// <param name="check">The check whose lease is held.</param>
    /// <param name="holders">Who holds it and until when, as Vigil's 409 names them.</param>
    public VigilLeaseHeldException(string check, IReadOnlyList<LeaseHolder> holders)
        : base(Describe(check, holders))
    {
        Check = check;
        Holders = holders;
    }

    /// <summary>The check whose lease is held.</summary>
    public string Check { get; }

    /// <summary>Who holds it and until when.</summary>
    public IReadOnlyList<LeaseHolder> Holders { get; }

    private static string Describe(string check, IReadOnlyList<LeaseHolder> holders)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var who = holders.Count == 0
            ? "someone else"
            : string.Join(", ", holders.Select(h => $"{h.Holder} until {h.ExpiresAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"));
        return $"the lease of '{check}' is held by {who}";
    }
}
