using System.Security.Cryptography;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// Where the evaluator's randomness comes from: ids of runs and notifications, lease tokens. Injected like
/// time, so replaying the same commands on a fake clock with a seeded source gives the same ids.
/// </summary>
public abstract class Entropy
{
    /// <summary>Cryptographic tokens, time-ordered v7 ids: what production uses.</summary>
    public static Entropy Secure { get; } = new SecureEntropy();

    /// <summary>Deterministic ids and tokens for tests and replays. Tokens from it are guessable: never in production.</summary>
    public static Entropy Seeded(int seed) => new SeededEntropy(seed);

    /// <summary>A new time-ordered id (UUID v7 layout) for a run, a notification or an outbox row.</summary>
    public abstract Guid NewId(DateTimeOffset now);

    /// <summary>A new random UUID (v4) for a check that did not pin one.</summary>
    public abstract Guid NewUuid();

    /// <summary>A new unguessable lease or probe token (hex).</summary>
    public abstract string NewToken();

    private sealed class SecureEntropy : Entropy
    {
        public override Guid NewId(DateTimeOffset now) => Guid.CreateVersion7(now);

        public override Guid NewUuid() => Guid.NewGuid();

        public override string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    }

    private sealed class SeededEntropy(int seed) : Entropy
    {
        private readonly Random _random = new(seed);

        public override Guid NewId(DateTimeOffset now)
        {
            // The v7 layout: 48 bits of Unix milliseconds, then random bits, with version and variant set.
            Span<byte> bytes = stackalloc byte[16];
            _random.NextBytes(bytes);
            var ms = now.ToUnixTimeMilliseconds();
            for (var i = 0; i < 6; i++)
            {
                bytes[i] = (byte)(ms >> (8 * (5 - i)));
            }

            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes, bigEndian: true);
        }

        public override Guid NewUuid()
        {
            Span<byte> bytes = stackalloc byte[16];
            _random.NextBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes, bigEndian: true);
        }

        public override string NewToken()
        {
            Span<byte> bytes = stackalloc byte[20];
            _random.NextBytes(bytes);
            return Convert.ToHexStringLower(bytes);
        }
    }
}
