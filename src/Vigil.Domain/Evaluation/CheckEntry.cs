using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

/// <summary>A check as the evaluator holds it: what was declared, what is true now, and its earliest
/// obligation in the deadline heap.</summary>
internal sealed class CheckEntry(CheckDefinition definition, CheckState state) : Obligation
{
    public CheckDefinition Definition { get; private set; } = definition;
    public CheckState State { get; } = state;
    public Schedule? Schedule { get; private set; } = definition.BuildSchedule();

    /// <summary>Set when acting on this check's deadline threw: it is out of the heap until it is redefined,
    /// and health reports it, rather than the failure repeating on every tick.</summary>
    public string? Fault { get; set; }

    public void Redefine(CheckDefinition definition)
    {
        Definition = definition;
        Schedule = definition.BuildSchedule();
        Fault = null;
    }

    /// <summary>Puts back what a failed command changed.</summary>
    public void Restore(CheckDefinition definition, string? fault)
    {
        if (!ReferenceEquals(definition, Definition))
        {
            Definition = definition;
            Schedule = definition.BuildSchedule();
        }

        Fault = fault;
    }

    public override string Describe() => $"check '{Definition.Name}'";
}
