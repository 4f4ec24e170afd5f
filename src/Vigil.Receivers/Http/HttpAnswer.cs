using System.Net.Http.Headers;

namespace Vigil.Receivers.Http;

/// <summary>A receiver's HTTP answer: status, headers and the start of the body (enough for an error description
/// or a 429's <c>retry_after</c>; a hostile endpoint cannot make us buffer megabytes).</summary>
internal sealed record HttpAnswer(int Status, string? ReasonPhrase, HttpResponseHeaders Headers, string Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public string StatusText => ReasonPhrase is { Length: > 0 } reason ? $"{Status} {reason}" : Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
