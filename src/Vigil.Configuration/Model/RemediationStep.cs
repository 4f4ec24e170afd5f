namespace Vigil.Configuration;

/// <summary>One step: <see cref="RunStep"/>, <see cref="NotifyStep"/> or <see cref="WaitStep"/>.</summary>
public abstract record RemediationStep;

/// <summary>Runs a command directly (no shell), up to <see cref="Attempts"/> times, <see cref="Spacing"/> apart.</summary>
public sealed record RunStep(IReadOnlyList<string> Command) : RemediationStep
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    public int Attempts { get; init; } = 1;
    public TimeSpan Spacing { get; init; } = TimeSpan.Zero;
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}

public sealed record NotifyStep(IReadOnlyList<string> Receivers) : RemediationStep;

public sealed record WaitStep(TimeSpan Duration) : RemediationStep;
