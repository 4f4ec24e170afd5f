using System.Text.Json;

namespace Vigil.Client;

/// <summary>The server answered, and said no: a 4xx or 5xx with its problem details.</summary>
public sealed class VigilApiException(int status, string message, JsonElement? problem = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>The RFC 9457 problem document, when the server sent one.</summary>
    public JsonElement? Problem { get; } = problem;
}

/// <summary>The server could not be reached at all (refused, timed out, DNS).</summary>
public sealed class VigilUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
