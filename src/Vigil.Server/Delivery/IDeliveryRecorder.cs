using Vigil.Domain.Notifications;

namespace Vigil.Server.Delivery;

/// <summary>Makes delivery outcomes durable, many in one transaction. The writer loop implements it, so outcomes
/// ride along with the batch being committed instead of taking the store's write lock once each.</summary>
internal interface IDeliveryRecorder
{
    /// <summary>Completes once the marks are durable; throws when they could not be written.</summary>
    Task RecordAsync(IReadOnlyList<OutboxMark> marks, CancellationToken ct);
}
