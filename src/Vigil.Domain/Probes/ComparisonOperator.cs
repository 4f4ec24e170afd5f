namespace Vigil.Domain.Probes;

public enum ComparisonOperator { Greater, GreaterOrEqual, Less, LessOrEqual, Equal, NotEqual }
