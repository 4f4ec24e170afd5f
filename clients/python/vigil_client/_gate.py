"""``Gate``: "may trading proceed?", answered by Vigil from a kill switch, checks and breakers."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional, Tuple

from ._errors import GateClosed, GateReason
from ._http import Transport, Unreachable, logger
from ._values import parse_instant

DEFAULT_POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class KillSwitch:
    """A gate's kill switch as last set: engaged or released, why, by which key, and when."""

    engaged: bool
    reason: Optional[str] = None
    by: Optional[str] = None
    at: Optional[datetime] = None


@dataclass(frozen=True)
class GateStatus:
    """A gate's answer. ``open`` is whether the program may proceed; ``reasons`` says why not (empty when
    open); ``kill`` is its kill switch. ``unreachable`` is True when Vigil gave no usable answer and ``open``
    is the gate's ``fail_open`` choice."""

    name: str
    open: bool
    reasons: Tuple[GateReason, ...] = ()
    kill: Optional[KillSwitch] = None
    unreachable: bool = False
    raw: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return "open" if self.open else "closed: " + "; ".join(str(r) for r in self.reasons)


class Gate:
    """A gate declared in Vigil's config under ``gates:``. Get one from ``Vigil.gate(name)``.

    Reading a gate is cheap for Vigil (no write), so ask before every risky action, not once at start.
    ``require()`` raises ``GateClosed`` unless the gate is open; ``wait()`` blocks until it opens;
    ``status()`` returns the answer without raising.

    When Vigil cannot be reached, or refuses the request itself (unknown gate, wrong key), a warning is logged
    and ``fail_open`` decides: False (the default) treats the gate as closed, with one reason of kind
    ``vigil`` saying what went wrong; True treats it as open.
    """

    def __init__(self, transport: Transport, name: str, *, fail_open: bool = False, timeout: Optional[float] = None) -> None:
        if not name:
            raise ValueError("a gate needs a name")
        self.name = name
        self.fail_open = fail_open
        self.timeout = timeout
        self._transport = transport
        self._path = "/api/v1/gates/" + urllib.parse.quote(name, safe="")

    def __repr__(self) -> str:
        return f"<Gate {self.name!r} fail_open={self.fail_open}>"

    def status(self) -> GateStatus:
        """Asks Vigil once. A closed gate is an answer (``open=False``), not an exception."""
        what = f"reading gate {self.name!r}"
        try:
            # Not retried although a read: a caller deciding per order wants "closed" within one timeout, and
            # wait() asks again anyway.
            answer = self._transport.request("GET", self._path, what, timeout=self.timeout)
        except Unreachable as problem:
            return self._no_answer(str(problem))
        doc = answer.json()
        if answer.status not in (200, 423) or not isinstance(doc, dict) or not isinstance(doc.get("open"), bool):
            return self._no_answer(f"{what}: Vigil answered {answer.status}: {answer.detail()}")
        reasons = tuple(
            GateReason(str(r.get("kind") or ""), str(r.get("name") or ""), str(r.get("detail") or ""))
            for r in doc.get("reasons") or []
            if isinstance(r, dict)
        )
        kill_doc = doc.get("kill")
        kill = (
            KillSwitch(
                engaged=bool(kill_doc.get("engaged")),
                reason=kill_doc.get("reason"),
                by=kill_doc.get("by"),
                at=parse_instant(kill_doc.get("at")),
            )
            if isinstance(kill_doc, dict)
            else None
        )
        # 423 is Vigil's "closed"; trust the status code over the body should they ever disagree.
        return GateStatus(str(doc.get("name") or self.name), answer.status == 200 and doc["open"], reasons, kill, raw=doc)

    def _no_answer(self, problem: str) -> GateStatus:
        if self.fail_open:
            logger.warning("%s; treating the gate as open (fail_open)", problem)
            return GateStatus(self.name, True, unreachable=True)
        logger.warning("%s; treating the gate as closed", problem)
        return GateStatus(self.name, False, (GateReason("vigil", self.name, f"{problem}; a gate fails closed"),), unreachable=True)

    def require(self) -> GateStatus:
        """Returns the open answer, or raises ``GateClosed`` with every reason."""
        status = self.status()
        if not status.open:
            raise GateClosed(status.reasons, self.name, status)
        return status

    def wait(self, timeout: Optional[float] = None, poll_interval: float = DEFAULT_POLL_INTERVAL_S) -> GateStatus:
        """Blocks until the gate is open and returns that answer, asking every ``poll_interval`` seconds.
        ``timeout`` (seconds, None: no limit) bounds the whole wait; when it runs out first, ``GateClosed``
        is raised with the last answer's reasons, so code after ``wait()`` only ever runs with the gate open."""
        if not poll_interval > 0:
            raise ValueError(f"poll_interval must be positive seconds, not {poll_interval!r}")
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be 0 or more seconds, not {timeout!r}")
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status()
            if status.open:
                return status
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise GateClosed(status.reasons, self.name, status)
            time.sleep(poll_interval if left is None else min(poll_interval, left))
