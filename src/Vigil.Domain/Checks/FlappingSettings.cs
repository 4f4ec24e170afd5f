namespace Vigil.Domain.Checks;

/// <summary>A check that changes status more than <see cref="Changes"/> times within <see cref="Window"/> is flapping.</summary>
public sealed record FlappingSettings(int Changes, TimeSpan Window)
{
    public static readonly FlappingSettings Default = new(6, TimeSpan.FromHours(1));
}
