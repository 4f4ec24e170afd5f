using System.Text.Json;

namespace Vigil.Client;

/// <summary>The server answered, and said no: a 4xx or 5xx with its problem details.</summary>
/// <param name="status">The HTTP status Vigil answered.</param>
/// <param name="message">What it said.</param>
/// <param name="problem">The problem document, if any.</param>
public sealed class VigilApiException(int status, string message, JsonElement? problem = null) : Exception(message)
{
    /// <summary>The HTTP status Vigil answered.</summary>
    public int Status { get; } = status;

    /// <summary>The RFC 9457 problem document, when the server sent one.</summary>
    public JsonElement? Problem { get; } = problem;
}

/// <summary>The server could not be reached at all (refused, timed out, DNS).</summary>
/// <param name="message">What went wrong, naming the server.</param>
/// <param name="inner">The transport's exception.</param>
public sealed class VigilUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
