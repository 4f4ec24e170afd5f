namespace Vigil.Server.Engine;

/// <summary>Vigil itself cannot serve the request (store down, shutting down): a 503 that says why.</summary>
internal sealed class ServiceUnavailableException(string message) : Exception(message);
