namespace Vigil.Configuration;

/// <summary>A secret from the configuration (a token, a password, a webhook URL that embeds a token). Its
/// <see cref="ToString"/> never shows it, so logging a configuration record cannot leak it; call
/// <see cref="Reveal"/> only where the value is actually used.</summary>
public sealed class Secret : IEquatable<Secret>
{
    private readonly string _value;

    public Secret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    public string Reveal() => _value;

    public override string ToString() => "(secret)";

    public bool Equals(Secret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Secret);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
