namespace Vigil.Configuration.Receivers;

/// <summary>A declared receiver: exactly one of the kinds below.</summary>
public abstract record ReceiverConfig(string Name)
{
    /// <summary>The key that declared it: webhook, file, telegram, discord, slack or email.</summary>
    public abstract string Kind { get; }
}
