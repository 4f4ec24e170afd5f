namespace Vigil.Domain.Breakers;

/// <summary>A half-open breaker's probe permit: a lease on one probe slot. It ends with the prober's report,
/// or at <see cref="ExpiresAt"/> when the prober died, so a crashed prober never blocks the dependency.</summary>
public sealed class ProbePermit
{
    public required string Token { get; init; }
    public required string Holder { get; init; }
    public required DateTimeOffset GrantedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
}
