using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

/// <summary>A check as the evaluator holds it: what was declared, what is true now, and its place in the heap.</summary>
internal sealed class CheckEntry(CheckDefinition definition, CheckState state)
{
    public CheckDefinition Definition { get; private set; } = definition;
    public CheckState State { get; } = state;
    public Schedule? Schedule { get; private set; } = definition.BuildSchedule();
    public int HeapIndex { get; set; } = -1;
    public DateTimeOffset Due { get; set; }

    public void Redefine(CheckDefinition definition)
    {
        Definition = definition;
        Schedule = definition.BuildSchedule();
    }
}
