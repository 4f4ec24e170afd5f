namespace Vigil.Configuration.Receivers;

/// <summary>Appends one JSON line per notification to <see cref="Path"/> (absolute).</summary>
public sealed record FileReceiver(string Name, string Path) : ReceiverConfig(Name)
{
    public override string Kind => "file";
}
