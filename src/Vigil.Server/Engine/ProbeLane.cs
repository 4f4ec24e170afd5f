using Vigil.Domain.Checks;
using Vigil.Probes;

namespace Vigil.Server.Engine;

/// <summary>One probe check's built probe and the definition it was built from; rebuilt when a request brings a
/// definition that measures or judges differently (an edit, a reload, a mode change).</summary>
internal sealed record ProbeLane(CheckDefinition Definition, IProbe Probe)
{
    public bool Fits(CheckDefinition definition) =>
        ReferenceEquals(definition, Definition)
        || (Equals(definition.Probe, Definition.Probe) && definition.WarnIf == Definition.WarnIf
            && definition.CriticalIf == Definition.CriticalIf && definition.Unmeasurable == Definition.Unmeasurable);
}
