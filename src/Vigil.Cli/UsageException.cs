namespace Vigil.Cli;

/// <summary>The command line is wrong: a sentence saying what, and exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
