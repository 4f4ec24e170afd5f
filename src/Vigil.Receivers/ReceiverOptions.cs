namespace Vigil.Receivers;

/// <summary>A receiver's settings as the server builds it from the config. Records that hold a secret override
/// <see cref="object.ToString"/> so a logged or printed settings object never shows it.</summary>
public abstract record ReceiverOptions
{
    /// <summary>telegram, discord, slack, email, webhook or file.</summary>
    public abstract string Kind { get; }
}
