"""``Breaker``: a circuit breaker kept by Vigil and shared by every process that calls the same dependency."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Callable, Dict, Optional, Type, TypeVar, overload

from ._errors import BreakerOpen
from ._http import Transport, Unreachable, logger
from ._values import parse_instant

T = TypeVar("T")

# The server keeps at most this much of a report's error text (BreakerEndpoints.MaxErrorLength).
_ERROR_LIMIT = 1000
# When Vigil could not be asked and the breaker fails closed, as the .NET client answers: ask again soon.
UNREACHABLE_RETRY_AFTER_S = 1.0


def _default_is_failure(error: BaseException) -> bool:
    return isinstance(error, Exception)


@dataclass(frozen=True)
class Permit:
    """A breaker's answer to "may I call?".

    ``state`` is ``closed``, ``open``, ``half_open``, ``forced_open`` or ``disabled`` (``unknown`` when Vigil
    could not be asked). ``probe_token`` is set when this permit is a half-open breaker's probe: its report
    decides the breaker for everyone. ``retry_after_s`` is set when refused (None while forced open).
    ``unreachable`` is True when Vigil gave no usable answer and ``allowed`` is the breaker's ``fail_open``.
    """

    allowed: bool
    state: str
    probe_token: Optional[str] = None
    probe_expires_at: Optional[datetime] = None
    retry_after_s: Optional[float] = None
    unreachable: bool = False


class Breaker:
    """A breaker declared in Vigil's config under ``breakers:``. Get one from ``Vigil.breaker(name)``.

    ``call()`` is the usual form: ``with v.breaker("binance-api").call(): place_order()`` asks for a permit
    on entry (refused: ``BreakerOpen``, the body never runs) and reports on exit: success, or failure when the
    body raised an exception that ``is_failure`` accepts (by default every ``Exception``; ``KeyboardInterrupt``
    and ``SystemExit`` say nothing about the dependency and are not reported). ``call(fn, *args)`` does the
    same around one function call. ``permit()`` and ``report()`` are the two halves, for code that needs them
    apart.

    When Vigil cannot be reached, or refuses the request itself (unknown breaker, wrong key), a warning is
    logged and ``fail_open`` decides: True (the default) lets the call through and reports nothing; False
    raises ``BreakerOpen`` with ``unreachable=True``.
    """

    def __init__(
        self,
        transport: Transport,
        name: str,
        holder: str,
        *,
        fail_open: bool = True,
        is_failure: Optional[Callable[[BaseException], bool]] = None,
        timeout: Optional[float] = None,
    ) -> None:
        if not name:
            raise ValueError("a breaker needs a name")
        self.name = name
        self.holder = holder
        self.fail_open = fail_open
        self.is_failure = is_failure or _default_is_failure
        self.timeout = timeout
        self._transport = transport
        self._path = "/api/v1/breakers/" + urllib.parse.quote(name, safe="") + "/"

    def __repr__(self) -> str:
        return f"<Breaker {self.name!r} fail_open={self.fail_open}>"

    # -- the two halves --------------------------------------------------------------------------------------

    def permit(self) -> Permit:
        """Asks for a permit. Never raises for an outage: when Vigil gives no usable answer the permit is
        ``fail_open`` with ``unreachable=True`` (and a warning is logged)."""
        what = f"asking breaker {self.name!r} for a permit"
        try:
            # Not retried: a repeat after a lost answer could take a second probe slot.
            answer = self._transport.request("POST", self._path + "permit", what, json_body={"holder": self.holder}, timeout=self.timeout)
        except Unreachable as problem:
            return self._no_answer(str(problem))
        doc = answer.json()
        if answer.status != 200 or not isinstance(doc, dict) or not isinstance(doc.get("allowed"), bool):
            return self._no_answer(f"{what}: Vigil answered {answer.status}: {answer.detail()}")
        retry = doc.get("retry_after_s")
        return Permit(
            allowed=doc["allowed"],
            state=str(doc.get("state") or "unknown"),
            probe_token=doc.get("probe_token") or None,
            probe_expires_at=parse_instant(doc.get("probe_expires_at")),
            retry_after_s=float(retry) if isinstance(retry, (int, float)) and not isinstance(retry, bool) else None,
        )

    def _no_answer(self, problem: str) -> Permit:
        choice = "letting the call through (fail_open)" if self.fail_open else "refusing the call (fail_open=False)"
        logger.warning("%s; %s", problem, choice)
        return Permit(
            allowed=self.fail_open,
            state="unknown",
            retry_after_s=None if self.fail_open else UNREACHABLE_RETRY_AFTER_S,
            unreachable=True,
        )

    def report(self, success: bool, probe_token: Optional[str] = None, error: Optional[str] = None) -> bool:
        """Reports one call's outcome; with the permit's ``probe_token``, the probe's result that closes or
        reopens the breaker. Returns True when Vigil recorded it; False (with a warning) when it could not be
        delivered, or when the probe permit was no longer out (it expired or the breaker moved on), in which
        case the report changed nothing. Never raises for an outage."""
        body: Dict[str, Any] = {"outcome": "success" if success else "failure"}
        if probe_token is not None:
            body["probe_token"] = probe_token
        if error is not None and not success:
            body["error"] = error[:_ERROR_LIMIT]
        what = f"reporting {body['outcome']} to breaker {self.name!r}"
        # Only a probe's report is repeated: its token makes a repeat harmless (410, changes nothing), while a
        # repeated plain report would count the same call twice.
        return self._transport.report(
            self._path + "report", what, body, retry=probe_token is not None, timeout=self.timeout,
            gone="the probe permit was gone (it expired or the breaker moved on); the report changed nothing")

    # -- around a call ---------------------------------------------------------------------------------------

    @overload
    def call(self) -> BreakerCall: ...

    @overload
    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...

    def call(self, fn: Optional[Callable[..., T]] = None, *args: Any, **kwargs: Any) -> Any:
        """Without arguments, a context manager (``with breaker.call() as permit: ...``); with a function,
        calls ``fn(*args, **kwargs)`` under a permit and returns its result. Either way a refused permit
        raises ``BreakerOpen`` before anything runs, and the outcome is reported afterwards."""
        guarded = BreakerCall(self)
        if fn is None:
            if args or kwargs:
                raise TypeError("Breaker.call() takes arguments only after the function to call")
            return guarded
        with guarded:
            return fn(*args, **kwargs)


class BreakerCall:
    """One guarded call: permit on entry, report on exit. Used once; ``Breaker.call()`` makes a new one."""

    def __init__(self, breaker: Breaker) -> None:
        self.breaker = breaker
        self.permit: Optional[Permit] = None

    def __enter__(self) -> Permit:
        if self.permit is not None:
            raise RuntimeError("a BreakerCall guards one call; use breaker.call() again for the next")
        permit = self.breaker.permit()
        self.permit = permit
        if not permit.allowed:
            raise BreakerOpen(permit.retry_after_s, self.breaker.name, state=permit.state, unreachable=permit.unreachable)
        return permit

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        permit = self.permit
        if permit is None or not permit.allowed or permit.unreachable:
            # Nothing to tell: refused, or Vigil could not be asked (so it would not hear the report either).
            return
        if exc is None:
            self.breaker.report(True, permit.probe_token)
        elif self.breaker.is_failure(exc):
            text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.breaker.report(False, permit.probe_token, text)
        elif isinstance(exc, Exception):
            # An exception the caller says is not the dependency's fault (a bad argument, a business refusal):
            # the dependency answered, which is what the breaker is about.
            self.breaker.report(True, permit.probe_token)
        # KeyboardInterrupt, SystemExit and the like say nothing about the dependency: no report. A probe permit
        # left unreported frees its slot at probe_expires_at. Returning None lets the exception go on.
