using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Commands;

/// <summary>Delivery outcomes from the dispatcher's lanes, committed with the writer's next batch.</summary>
public sealed record RecordDeliveriesCommand(IReadOnlyList<OutboxMark> Marks) : EvaluatorCommand<int>
{
    public override string Kind => "deliveries";

    protected internal override int ApplyTo(Evaluator evaluator)
    {
        evaluator.RecordDeliveries(Marks);
        return Marks.Count;
    }
}
