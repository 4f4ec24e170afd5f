"""A check's lease held by this process: acquired on entry, renewed in a daemon thread, released on every exit."""

from __future__ import annotations

import contextvars
import threading
import traceback
import urllib.parse
from datetime import datetime
from types import TracebackType
from typing import Any, Dict, Optional, Type, Union

from ._errors import Holder, LeaseHeld, LeaseLost
from ._http import Transport, Unreachable, logger
from ._values import DataTs, format_data_ts, parse_instant

_current: contextvars.ContextVar[Optional[Lease]] = contextvars.ContextVar("vigil_client_lease", default=None)

# What a release carries of a failure: the message field holds at most 1000 characters on the server; the
# log keeps the tail of the traceback, where the cause is.
_MESSAGE_LIMIT = 1000
_LOG_TAIL = 10_000


def current_lease() -> Optional[Lease]:
    """The lease of the innermost ``with vigil.lease(...)`` or ``@vigil.job`` around this code, if any."""
    return _current.get()


class Lease:
    """A check's lease. Use it as a context manager (``with vigil.lease("router", ttl="12m") as lease:``).

    On entry it is acquired (``LeaseHeld`` when held elsewhere); while held it is renewed every third of
    its TTL in a daemon thread; on exit it is released as ``success``, or as ``fail`` with the exception's
    text and traceback tail, and the exception goes on. When Vigil cannot be reached the body still runs:
    the lease is then ``monitored=False`` and only a warning is logged.

    ``lost`` is set when Vigil says the lease is gone (410: it expired or was taken over): from then on the
    job must stop acting on what the lease protected. ``raise_if_lost()`` turns that into ``LeaseLost``.
    Pass ``fencing_token`` along with writes so that a store can refuse a stale holder.
    """

    def __init__(
        self,
        transport: Transport,
        check: str,
        ttl: Union[str, int],
        ttl_seconds: float,
        holder: str,
    ) -> None:
        self.check = check
        self.holder = holder
        self.ttl_seconds = ttl_seconds
        self.token: Optional[str] = None
        self.fencing_token: Optional[int] = None
        self.rid: Optional[str] = None
        self.expires_at: Optional[datetime] = None
        self.monitored = False
        self.lost = threading.Event()
        self.released = False
        self._transport = transport
        self._ttl = ttl
        self._path = "/api/v1/checks/" + urllib.parse.quote(check, safe="") + "/lease/"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewer: Optional[threading.Thread] = None
        self._context_token: Optional[contextvars.Token[Optional[Lease]]] = None

    def __repr__(self) -> str:
        state = "lost" if self.lost.is_set() else "released" if self.released else "held" if self.monitored else "unmonitored"
        return f"<Lease {self.check!r} {state} fencing_token={self.fencing_token} expires_at={self.expires_at}>"

    # -- acquire ---------------------------------------------------------------------------------------------

    def acquire(self, *, data_ts: Optional[DataTs] = None) -> Lease:
        """Takes the lease and starts renewing it. Raises ``LeaseHeld`` when it is held elsewhere; when Vigil
        cannot be reached (or refuses for another reason) logs a warning and returns unmonitored."""
        if self.token is not None or self.released:
            raise RuntimeError("a Lease is acquired once; call vigil.lease(...) again for a new one")
        body: Dict[str, Any] = {"ttl": self._ttl, "holder": self.holder}
        if data_ts is not None:
            body["data_ts"] = format_data_ts(data_ts)
        what = f"acquiring the lease of {self.check!r}"
        try:
            # Not retried: a repeat after a lost answer could take a second slot of the check's concurrency.
            answer = self._transport.request("POST", self._path + "acquire", what, json_body=body)
        except Unreachable as problem:
            logger.warning("%s; running unmonitored", problem)
            return self
        if answer.status == 409:
            doc = answer.json()
            holders = [
                Holder(
                    holder=str(h.get("holder", "")),
                    expires_at=parse_instant(h.get("expires_at")),
                    rid=h.get("rid"),
                    fencing_token=h.get("fencing_token"),
                )
                for h in (doc.get("holders") or [] if isinstance(doc, dict) else [])
                if isinstance(h, dict)
            ]
            raise LeaseHeld(self.check, holders)
        if answer.status != 201:
            logger.warning("%s: Vigil answered %d: %s; running unmonitored", what, answer.status, answer.detail())
            return self
        grant = answer.json()
        self.token = grant.get("token")
        self.fencing_token = grant.get("fencing_token")
        self.rid = grant.get("rid")
        self.expires_at = parse_instant(grant.get("expires_at"))
        self.monitored = self.token is not None
        if self.monitored:
            self._renewer = threading.Thread(
                target=self._renew_loop, name=f"vigil-lease-{self.check}", daemon=True
            )
            self._renewer.start()
        return self

    # -- renew -----------------------------------------------------------------------------------------------

    def _renew_loop(self) -> None:
        # A third of the TTL leaves two more chances before expiry when one renewal fails.
        interval = self.ttl_seconds / 3
        what = f"renewing the lease of {self.check!r}"
        while not self._stop.wait(interval):
            try:
                # Retried: the token makes a repeated renew harmless.
                answer = self._transport.request("POST", self._path + "renew", what, json_body={"token": self.token}, retry=True)
            except Unreachable as problem:
                logger.warning("%s; still holding it as far as this process knows", problem)
                continue
            if answer.status == 200:
                self.expires_at = parse_instant(answer.json().get("expires_at")) or self.expires_at
            elif answer.status in (404, 410):
                # 410: expired or released; 404: the check itself is gone. Either way the lease is not ours.
                with self._lock:
                    if self.released:
                        return
                    self.lost.set()
                logger.error(
                    "the lease of %r was lost (%s); the job must stop acting on it (fencing token %s)",
                    self.check, answer.detail(), self.fencing_token,
                )
                return
            else:
                logger.warning("%s: Vigil answered %d: %s", what, answer.status, answer.detail())

    def raise_if_lost(self) -> None:
        """Raises ``LeaseLost`` if Vigil said the lease is gone; call it before acting on what it protects."""
        if self.lost.is_set():
            raise LeaseLost(self.check)

    # -- release ---------------------------------------------------------------------------------------------

    def release(
        self,
        outcome: str = "success",
        *,
        exit_code: Optional[int] = None,
        message: Optional[str] = None,
        log: Optional[str] = None,
        data_ts: Optional[DataTs] = None,
    ) -> bool:
        """Stops renewing and releases with ``outcome`` (``"success"`` or ``"fail"``). Returns True when Vigil
        recorded it as the lease's end; False when the lease was already gone (recorded as a late report),
        unmonitored, already released, or Vigil could not be reached (a warning says which)."""
        if outcome not in ("success", "fail"):
            raise ValueError(f"outcome must be 'success' or 'fail', not {outcome!r}")
        if exit_code is not None and not 0 <= exit_code <= 255:
            raise ValueError(f"exit_code {exit_code} must be between 0 and 255")
        body: Dict[str, Any] = {"token": self.token, "outcome": outcome}
        if exit_code is not None:
            body["exit_code"] = exit_code
        if message is not None:
            body["message"] = message[:_MESSAGE_LIMIT]
        if log is not None:
            body["log"] = log[-_LOG_TAIL:]
        if data_ts is not None:
            body["data_ts"] = format_data_ts(data_ts)
        with self._lock:
            if self.released:
                return False
            self.released = True
        self._stop.set()
        if self._renewer is not None and self._renewer is not threading.current_thread():
            # A renewal in flight is bounded by the transport's timeout and retries; do not wait longer.
            self._renewer.join(self._transport.timeout * (1 + self._transport.retries) + 2)
        if not self.monitored:
            return False
        what = f"releasing the lease of {self.check!r} as {outcome}"
        return self._transport.report(
            self._path + "release", what, body, retry=True,
            gone="the lease had expired or was taken over; Vigil recorded the outcome as a late report")

    # -- context manager -------------------------------------------------------------------------------------

    def __enter__(self) -> Lease:
        self.acquire()
        self._context_token = _current.set(self)
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._context_token is not None:
            _current.reset(self._context_token)
            self._context_token = None
        if self.released:
            return
        if exc is None:
            self.release("success")
        elif isinstance(exc, SystemExit) and exc.code in (None, 0):
            self.release("success", exit_code=0)
        elif isinstance(exc, SystemExit) and isinstance(exc.code, int) and 0 < exc.code <= 255:
            self.release("fail", exit_code=exc.code, message=f"SystemExit: {exc.code}")
        else:
            text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            tail = "".join(traceback.format_exception(type(exc), exc, tb))
            self.release("fail", message=text, log=tail)
        # Returning None lets the exception, if any, go on.
