namespace Vigil.Configuration;

/// <summary>The <c>metrics</c> section: <see cref="Public"/> serves <c>/metrics</c> without a key.</summary>
public sealed record MetricsOptions
{
    public bool Public { get; init; }
}
