using System.Security.Cryptography;
using System.Text;
using Vigil.Domain.Notifications;

namespace Vigil.Server.Delivery;

/// <summary>
/// The rows one message carries to one receiver, in outbox order, and that message's idempotency key: a row's own
/// (its notification's id) when it goes alone, else a digest key. <see cref="NewDigest"/>: the key is not in the
/// store yet and must be fixed there before the first attempt.
/// </summary>
internal sealed record DeliveryBatch(IReadOnlyList<OutboxEntry> Entries, string Key, bool NewDigest)
{
    public const string DigestPrefix = "digest-";

    /// <summary>When the oldest of its rows was written: failover counts from there.</summary>
    public DateTimeOffset CreatedAt => Entries.Min(e => e.CreatedAt);

    public static DeliveryBatch Alone(OutboxEntry entry) => new([entry], entry.Digest ?? entry.IdempotencyKey, NewDigest: false);

    /// <summary>Rows sent together. Rows that already went out together keep their digest's key; new company gets a
    /// key made from the rows' ids (the same rows, the same key).</summary>
    public static DeliveryBatch Of(IReadOnlyList<OutboxEntry> rows)
    {
        var ordered = rows.OrderBy(e => e.Sequence).ToList();
        if (ordered.Count == 1)
        {
            return Alone(ordered[0]);
        }

        if (ordered[0].Digest is { } digest && ordered.All(e => e.Digest == digest))
        {
            return new DeliveryBatch(ordered, digest, NewDigest: false);
        }

        var ids = string.Join(",", ordered.Select(e => e.Id.ToString("N")).Order(StringComparer.Ordinal));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(ids)))[..32];
        return new DeliveryBatch(ordered, DigestPrefix + hash, NewDigest: true);
    }
}
