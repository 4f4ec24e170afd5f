using Vigil.Domain.Checks;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    public UpsertStatus Upsert(CheckDefinition definition, bool fromConfig = false)
    {
        var now = Now;
        if (definition.Uuid == Guid.Empty)
        {
            definition = definition with
            {
                Uuid = _byName.TryGetValue(definition.Name, out var current) ? current.Definition.Uuid : _entropy.NewUuid(),
            };
        }

        if (_byUuid.TryGetValue(definition.Uuid, out var owner) && owner.Definition.Name != definition.Name)
        {
            return UpsertStatus.UuidTaken;
        }

        if (Lookup(definition.Name) is { } existing)
        {
            if (!fromConfig && existing.Definition.ManagedBy == ManagedBy.Config)
            {
                return UpsertStatus.ManagedByConfig;
            }

            if (existing.Definition.HasSameSettingsAs(definition) && existing.Fault is null)
            {
                return UpsertStatus.Replaced;
            }

            CatchUp(existing, now);
            if (existing.Definition.ManagedBy == ManagedBy.Ping) _autoCreated--;
            if (definition.ManagedBy == ManagedBy.Ping) _autoCreated++;
            _byUuid.Remove(existing.Definition.Uuid);
            var before = existing.Definition;
            existing.Redefine(definition);
            _redefined.Add(definition.Name);
            _byUuid[definition.Uuid] = existing;
            if (definition.Paused && existing.State.Status != CheckStatus.Paused)
            {
                SetPaused(existing, now, "paused by its definition");
            }

            ReapplyRunDeadlines(existing);
            Record(existing, EventTypes.Updated, "definition replaced", now);
            ProbeRedefined(existing, before, now);
            Touch(existing);
            return UpsertStatus.Replaced;
        }

        if (definition.ManagedBy == ManagedBy.Ping)
        {
            if (AutoCreateLimit > 0 && _autoCreated >= AutoCreateLimit)
            {
                return UpsertStatus.LimitReached;
            }

            _autoCreated++;
        }

        // A check created again after a delete continues above every fencing token ever issued.
        var state = new CheckState { StatusSince = now, FencingCounter = _fencingHighWater };
        if (definition.Paused)
        {
            state.Status = CheckStatus.Paused;
        }

        var entry = new CheckEntry(definition, state);
        Created(entry);
        _redefined.Add(definition.Name);
        _byName[definition.Name] = entry;
        _byUuid[definition.Uuid] = entry;
        Record(entry, EventTypes.Created, $"created ({definition.DescribeSchedule()})", now);
        Touch(entry);
        return UpsertStatus.Created;
    }

    /// <summary>Applies new max_runtime rules to runs already open when a definition changes.</summary>
    private static void ReapplyRunDeadlines(CheckEntry entry)
    {
        foreach (var run in entry.State.OpenRuns)
        {
            run.Deadline = RunDeadline(entry.Definition, run.StartedAt, run.LeaseToken is not null);
        }
    }

    public DeleteStatus Delete(string name, bool fromConfig = false)
    {
        if (Lookup(name) is not { } entry)
        {
            return DeleteStatus.NotFound;
        }

        if (!fromConfig && entry.Definition.ManagedBy == ManagedBy.Config)
        {
            return DeleteStatus.ManagedByConfig;
        }

        var now = Now;
        foreach (var (kind, alert) in entry.State.Alerts)
        {
            if (alert.Firing)
            {
                Resolve(entry, kind, "the check was deleted", now);
            }
        }

        if (entry.Definition.ManagedBy == ManagedBy.Ping) _autoCreated--;
        var wasDown = entry.State.Status == CheckStatus.Down;
        Unregister(entry);
        _changes.Checks.Remove(name);
        _changes.DeletedChecks.Add(name);
        if (wasDown)
        {
            ReleaseHeldBack(now, name);
        }

        return DeleteStatus.Deleted;
    }

    /// <summary>
    /// Makes the config file's checks the declared set: each upserted as config-managed, config-managed checks
    /// no longer declared removed. The whole set is validated first (names, uuids against each other and
    /// against checks the API owns), so a set that cannot apply changes nothing.
    /// </summary>
    public ConfigApplyResult ApplyConfigChecks(IReadOnlyList<CheckDefinition> checks)
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var uuids = new Dictionary<Guid, string>();
        foreach (var definition in checks)
        {
            if (!names.Add(definition.Name))
            {
                problems.Add($"check '{definition.Name}' is declared twice");
            }

            foreach (var (field, message) in definition.Validate())
            {
                problems.Add($"check '{definition.Name}': {field} {message}");
            }

            if (definition.Uuid == Guid.Empty)
            {
                continue;
            }

            if (uuids.TryGetValue(definition.Uuid, out var other))
            {
                problems.Add($"checks '{other}' and '{definition.Name}' pin the same uuid {definition.Uuid}");
            }

            uuids[definition.Uuid] = definition.Name;
            if (_byUuid.TryGetValue(definition.Uuid, out var owner) && owner.Definition.Name != definition.Name
                && (owner.Definition.ManagedBy != ManagedBy.Config || names.Contains(owner.Definition.Name) || checks.Any(c => c.Name == owner.Definition.Name)))
            {
                problems.Add($"check '{definition.Name}' pins uuid {definition.Uuid}, which check '{owner.Definition.Name}' already uses");
            }
        }

        if (problems.Count > 0)
        {
            throw new ConfigConflictException(problems);
        }

        var removed = 0;
        foreach (var (definition, _) in Checks.ToList())
        {
            if (definition.ManagedBy == ManagedBy.Config && !names.Contains(definition.Name))
            {
                Delete(definition.Name, fromConfig: true);
                removed++;
            }
        }

        var created = 0;
        var changed = 0;
        foreach (var definition in checks)
        {
            var before = _byName.TryGetValue(definition.Name, out var existing) ? existing.Definition : null;
            var status = Upsert(definition with { ManagedBy = ManagedBy.Config }, fromConfig: true);
            switch (status)
            {
                case UpsertStatus.Created: created++; break;
                case UpsertStatus.Replaced when before is not null && !ReferenceEquals(before, _byName[definition.Name].Definition): changed++; break;
                case UpsertStatus.UuidTaken or UpsertStatus.LimitReached or UpsertStatus.ManagedByConfig:
                    // Validated above; reaching this is a rule bug, and the command rolls back as a whole.
                    throw new InvalidOperationException($"check '{definition.Name}' could not be applied ({status}) after validation");
            }
        }

        return new ConfigApplyResult(checks.Count, created, changed, removed);
    }

    public bool Pause(string name, string reason = "paused")
    {
        if (Lookup(name) is not { } entry)
        {
            return false;
        }

        if (entry.State.Status != CheckStatus.Paused)
        {
            CatchUp(entry, Now);
            SetPaused(entry, Now, reason);
            Touch(entry);
        }

        return true;
    }

    public bool Resume(string name)
    {
        if (Lookup(name) is not { } entry)
        {
            return false;
        }

        if (entry.State.Status == CheckStatus.Paused)
        {
            // As Healthchecks does: a resumed check waits for its next signal before it can be late.
            SettlePausedObligations(entry, Now);
            SetStatus(entry, CheckStatus.New, "resumed", Now);
            entry.State.ScheduleAnchor = null;

            // A probe runs again at once; a run asked for before the pause answers nothing any more.
            entry.State.ProbeInFlight = null;
            entry.State.NextProbeAt = null;
            Touch(entry);
        }

        return true;
    }

    /// <summary>
    /// A paused check is not evaluated, so obligations that fell due while it was paused are settled without
    /// alerting when it resumes (or when an acquire needs the slot): an expired lease is freed and its run ends
    /// <c>lease_expired</c>, an overdue run ends <c>max_runtime_exceeded</c>. Neither makes the check down.
    /// </summary>
    private void SettlePausedObligations(CheckEntry entry, DateTimeOffset now)
    {
        var s = entry.State;
        foreach (var lease in s.Leases.Where(l => l.ExpiresAt <= now).ToList())
        {
            s.Leases.Remove(lease);
            Record(entry, EventTypes.LeaseExpired,
                $"lease held by {lease.Holder} (fencing token {lease.FencingToken}) expired at {Timestamps.Format(lease.ExpiresAt)} while the check was paused",
                now, rid: lease.Rid);
            if (s.OpenRuns.FirstOrDefault(r => r.LeaseToken == lease.Token) is { } leaseRun)
            {
                EndRun(entry, leaseRun, RunOutcomes.LeaseExpired, null, "lease expired while the check was paused", null, false, now);
            }
        }

        foreach (var run in s.OpenRuns.Where(r => r.Deadline <= now).ToList())
        {
            EndRun(entry, run, RunOutcomes.MaxRuntimeExceeded, null, "exceeded max_runtime while the check was paused", null, false, now);
            if (run.LeaseToken is { } token)
            {
                s.Leases.RemoveAll(l => l.Token == token);
            }
        }
    }

    private void SetPaused(CheckEntry entry, DateTimeOffset now, string reason)
    {
        SetStatus(entry, CheckStatus.Paused, reason, now);
        foreach (var (kind, alert) in entry.State.Alerts.ToList())
        {
            if (alert.Firing)
            {
                Resolve(entry, kind, "the check was paused", now);
            }
        }
    }
}
