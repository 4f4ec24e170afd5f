namespace Vigil.Server;

/// <summary>At most <see cref="Count"/> messages to one receiver per <see cref="Per"/> (config <c>limits: {name: {rate: 20/min}}</c>).</summary>
public sealed record ReceiverLimit(int Count, TimeSpan Per);
