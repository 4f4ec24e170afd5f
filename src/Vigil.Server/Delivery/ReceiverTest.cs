using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Receivers;

namespace Vigil.Server.Delivery;

/// <summary>
/// <c>POST /api/v1/receivers/{name}/test</c>: one delivery attempt of a test notification through one receiver, right
/// now, bypassing routes and the outbox (nothing is stored, nothing retried), cut at <see cref="Timeout"/> on the
/// injected clock. The receiver's own error sentence is reported; receivers never put secrets in it, and an exception
/// (a receiver bug) is reported by its type only, since its message could carry a URL with a token.
/// </summary>
internal sealed class ReceiverTest(ReceiverRegistry receivers, TimeProvider time, Entropy entropy)
{
    /// <summary>The longest a test delivery may take. The default value is 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The alert kind of a test notification.</summary>
    public const string AlertKind = "test";

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>How the attempt went; <see cref="RetryAfter"/> is the receiver's own hint (a 429's Retry-After).</summary>
    public sealed record Outcome(string Receiver, bool Delivered, string? Error, TimeSpan? RetryAfter, TimeSpan Duration);

    /// <summary>Sends the test; null when no receiver has that name.</summary>
    public async Task<Outcome?> SendAsync(string name, string? by, CancellationToken ct)
    {
        if (receivers.Find(name) is not { } receiver)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var id = entropy.NewId(now);
        var notification = new Notification
        {
            Id = id,
            Alert = AlertKind,
            State = Notification.Firing,
            Severity = Severity.Info,
            Reason = "A test notification from Vigil" + (by is null ? "" : $", asked for with the key '{by}'") + ": this receiver works. Nothing is wrong.",
            At = now,
            Since = now,
        };
        var message = new OutgoingMessage($"test-{id}", name, [notification]) { PublicUrl = receivers.PublicUrl };
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var started = time.GetTimestamp();
        DeliveryResult result;
        try
        {
            result = await receiver.DeliverAsync(message, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            result = DeliveryResult.Failed($"receiver '{name}' did not answer within {Domain.Time.Durations.Format(Timeout)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = DeliveryResult.Failed($"receiver '{name}' failed: {ex.GetType().Name}");
        }

        return new Outcome(name, result.Delivered, result.Delivered ? null : result.Error ?? "failed", result.RetryAfter, time.GetElapsedTime(started));
    }
}
