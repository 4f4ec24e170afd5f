using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Parsing;

/// <summary>Where a check's settings came from: the resolved definition and the mapping that declared it
/// (null when it is only made of defaults), so later layers and problems can point at the right place.</summary>
internal sealed record CheckLayers(CheckDefinition Definition, MappingReader? Reader, YScalar? Key);
