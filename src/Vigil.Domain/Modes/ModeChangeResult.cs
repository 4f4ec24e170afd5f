using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Modes;

/// <summary><see cref="ModeChangeStatus.NotDeclared"/>: the config declares no such mode (or no modes at all).</summary>
public enum ModeChangeStatus { Changed, Unchanged, NotDeclared }

public sealed record ModeChangeResult(ModeChangeStatus Status, string? From, string? To, ConfigApplyResult? Applied = null);
