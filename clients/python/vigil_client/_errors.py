"""The exceptions vigil_client raises. Each is a VigilError, so one except clause catches them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Mapping, Optional, Sequence


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
    """A shared breaker refused a call. Defined now because the API names it; breakers come in a later release."""

    def __init__(self, retry_after_s: float, breaker: Optional[str] = None) -> None:
        self.retry_after_s = retry_after_s
        self.breaker = breaker
        name = f"breaker {breaker!r}" if breaker else "the breaker"
        super().__init__(f"{name} is open; retry after {retry_after_s:g}s")


class GateClosed(VigilError):
    """A gate is closed. Defined now because the API names it; gates come in a later release."""

    def __init__(self, reasons: Sequence[Mapping[str, Any]], gate: Optional[str] = None) -> None:
        self.reasons: List[Mapping[str, Any]] = list(reasons)
        self.gate = gate
        text = "; ".join(str(r.get("detail") or r.get("name") or r) for r in self.reasons)
        name = f"gate {gate!r}" if gate else "the gate"
        super().__init__(f"{name} is closed" + (f": {text}" if text else ""))
