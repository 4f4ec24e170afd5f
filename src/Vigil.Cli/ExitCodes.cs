namespace Vigil.Cli;

/// <summary>The exit codes of spec/cli.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int NotExecutable = 127;

    /// <summary>EX_TEMPFAIL: a run was not started because its lease is held elsewhere or its gate is closed.</summary>
    public const int TempFail = 75;
}
