"""The exceptions vigil_client raises. Each is a VigilError, so one except clause catches them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Mapping, Optional, Sequence, Union


class VigilError(Exception):
    """Base class of every exception this library raises on purpose."""


@dataclass(frozen=True)
class Holder:
    """One current holder of a lease, as a 409 answer names it."""

    holder: str
    expires_at: Optional[datetime]
    rid: Optional[str] = None
    fencing_token: Optional[int] = None


class LeaseHeld(VigilError):
    """The check's lease is held elsewhere (its ``concurrency`` is reached): the job must not run now.

    Raised even when monitoring is otherwise best-effort, because running anyway is exactly the double
    run the lease exists to prevent.
    """

    def __init__(self, check: str, holders: Sequence[Holder], detail: Optional[str] = None) -> None:
        self.check = check
        self.holders: List[Holder] = list(holders)
        who = ", ".join(
            h.holder + (" until " + h.expires_at.isoformat() if h.expires_at is not None else "") for h in self.holders
        )
        super().__init__(f"the lease of {check!r} is held by {who or 'someone else'}" + (f" ({detail})" if detail else ""))


class LeaseLost(VigilError):
    """The lease expired or was taken over (Vigil answered 410): stop acting on what it protected."""

    def __init__(self, check: str) -> None:
        self.check = check
        super().__init__(f"the lease of {check!r} was lost (expired or released); stop acting on it")


class BreakerOpen(VigilError):
    """A shared breaker refused a call: the dependency it protects is failing for every process that uses it.

    ``retry_after_s`` is how long until asking again makes sense (the cooldown left); None when the breaker is
    forced open (until someone forces it ``auto`` or ``closed``) or when Vigil could not be asked and the
    breaker was told to fail closed (``unreachable`` is then True). ``state`` is the breaker's state as Vigil
    answered it: ``open``, ``half_open`` (every probe slot is taken), ``forced_open``, or ``unknown``.
    """

    def __init__(
        self,
        retry_after_s: Optional[float],
        breaker: Optional[str] = None,
        *,
        state: str = "open",
        unreachable: bool = False,
        detail: Optional[str] = None,
    ) -> None:
        self.retry_after_s = retry_after_s
        self.breaker = breaker
        self.state = state
        self.unreachable = unreachable
        name = f"breaker {breaker!r}" if breaker else "the breaker"
        if unreachable:
            text = f"{name} could not be asked ({detail or 'Vigil unreachable'}); failing closed"
        elif retry_after_s is None:
            text = f"{name} is {state}; it stays so until someone forces it auto or closed"
        else:
            text = f"{name} is {state}; retry after {retry_after_s:g}s"
        super().__init__(text)


@dataclass(frozen=True)
class GateReason:
    """One reason a gate is closed. ``kind`` is ``kill`` (its kill switch), ``check`` (a covered check above
    the gate's max_level), ``breaker`` (a covered breaker not closed), or ``vigil`` (Vigil could not say)."""

    kind: str
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.detail}"


class GateClosed(VigilError):
    """A gate is closed (Vigil answered 423), or could not be asked and fails closed: do not proceed.

    ``reasons`` lists every reason (``GateReason``); ``status`` is the whole answer (``GateStatus``) when the
    exception came from ``Gate.require`` or ``Gate.wait``.
    """

    def __init__(self, reasons: Sequence[Union[GateReason, Mapping[str, Any]]], gate: Optional[str] = None, status: Any = None) -> None:
        self.reasons: List[GateReason] = [
            r if isinstance(r, GateReason)
            else GateReason(str(r.get("kind") or ""), str(r.get("name") or ""), str(r.get("detail") or ""))
            for r in reasons
        ]
        self.gate = gate
        self.status = status
        text = "; ".join(str(r) for r in self.reasons)
        name = f"gate {gate!r}" if gate else "the gate"
        super().__init__(f"{name} is closed" + (f": {text}" if text else ""))
