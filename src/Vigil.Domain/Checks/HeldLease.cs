namespace Vigil.Domain.Checks;

/// <summary>An exclusive, expiring claim on a check.</summary>
public sealed class HeldLease
{
    public required string Token { get; set; }
    public long FencingToken { get; set; }
    public required string Holder { get; set; }
    public Guid Rid { get; set; }
    public DateTimeOffset AcquiredAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public TimeSpan Ttl { get; set; }

    /// <summary>The acquire already counted towards recover_after, so a successful release does not count again.</summary>
    public bool CountedAsSuccess { get; set; }
}
