using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Commands;

/// <summary>Take a check's lease; <see cref="Ttl"/> null means the check's max_runtime.</summary>
public sealed record AcquireLeaseCommand(string Check, TimeSpan? Ttl, string Holder, Guid? Rid, DateTimeOffset? DataTs)
    : EvaluatorCommand<AcquireResult>
{
    public override string Kind => "lease_acquire";

    protected internal override AcquireResult ApplyTo(Evaluator evaluator) => evaluator.AcquireLease(Check, Ttl, Holder, Rid, DataTs);
}

public sealed record RenewLeaseCommand(string Check, string Token, TimeSpan? Ttl, DateTimeOffset? DataTs) : EvaluatorCommand<RenewResult>
{
    public override string Kind => "lease_renew";

    protected internal override RenewResult ApplyTo(Evaluator evaluator) => evaluator.RenewLease(Check, Token, Ttl, DataTs);
}

public sealed record ReleaseLeaseCommand(
    string Check, string Token, LeaseOutcome Outcome, int? ExitCode, string? Message, string? Log, bool LogTruncated, DateTimeOffset? DataTs)
    : EvaluatorCommand<LeaseCallStatus>
{
    public override string Kind => "lease_release";

    protected internal override LeaseCallStatus ApplyTo(Evaluator evaluator) =>
        evaluator.ReleaseLease(Check, Token, Outcome, ExitCode, Message, Log, LogTruncated, DataTs);
}
