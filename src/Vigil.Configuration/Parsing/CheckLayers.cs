using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Parsing;

/// <summary>Where a check's settings came from: the resolved definition and the mapping that declared it
/// (null when it is only made of defaults), so later layers and problems can point at the right place.</summary>
internal sealed record CheckLayers(CheckDefinition Definition, MappingReader? Reader, YScalar? Key);

/// <summary>Which part of the file a set of check keys is read from; each allows different keys.</summary>
internal enum CheckScope { Defaults, AutoCreate, Check, ModeOverride }
