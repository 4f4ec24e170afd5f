namespace Vigil.Configuration.Parsing;

/// <summary>Which part of the file a set of check keys is read from; each allows different keys.</summary>
internal enum CheckScope { Defaults, AutoCreate, Check, ModeOverride }
