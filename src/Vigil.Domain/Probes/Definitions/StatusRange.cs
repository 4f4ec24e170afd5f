namespace Vigil.Domain.Probes.Definitions;

/// <summary>An accepted HTTP status or class of statuses: <c>200</c>, or <c>2xx</c> (200–299).</summary>
public sealed record StatusRange(int From, int To)
{
    public bool Contains(int status) => status >= From && status <= To;

    public override string ToString() => From == To ? From.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{From / 100}xx";
}
