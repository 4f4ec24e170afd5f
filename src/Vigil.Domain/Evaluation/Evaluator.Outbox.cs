using Vigil.Domain.Notifications;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>Adds delivery outcomes to the batch being built, so they are committed with it: the dispatcher's
    /// results cost no transaction of their own. They change no check.</summary>
    public void RecordDeliveries(IEnumerable<OutboxMark> marks)
    {
        ArgumentNullException.ThrowIfNull(marks);
        _changes.OutboxMarks.AddRange(marks);
    }
}
