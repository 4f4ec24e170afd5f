using Vigil.Domain.Notifications;

namespace Vigil.Server.Engine;

/// <summary>The parts of a reload that are not checks: the router takes effect for the batch that applies the
/// new checks, and <see cref="AfterCommit"/> swaps receivers and keys once that batch is durable.</summary>
internal sealed record ConfigSwap(Router Router, Action AfterCommit);
