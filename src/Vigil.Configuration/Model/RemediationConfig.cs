namespace Vigil.Configuration;

/// <summary>A remediation policy: ordered steps, run while the check stays down.</summary>
public sealed record RemediationConfig(string Name, IReadOnlyList<RemediationStep> Steps);
