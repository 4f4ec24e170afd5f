"""``Vigil``: pings, leases, breakers and gates for one server and one key."""

from __future__ import annotations

import functools
import os
import socket
import urllib.parse
import uuid
from typing import Any, Callable, Dict, Optional, TypeVar, Union, cast

from ._breaker import Breaker
from ._gate import Gate
from ._http import Transport, Unreachable, logger
from ._lease import Lease
from ._values import DataTs, Ttl, check_rid, format_data_ts, is_uuid, parse_ttl

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_URL = "http://127.0.0.1:8470"
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2


class Vigil:
    """A client of one Vigil server.

    ``url`` defaults to ``VIGIL_URL``, else ``http://127.0.0.1:8470``; ``key`` to ``VIGIL_API_KEY``. Either
    key may be ``file:PATH`` to read it from a file, as the ``vigil`` CLI does. ``timeout`` (seconds) bounds
    every call; ``retries`` bounds the repeats of calls that are safe to repeat (lease renew and release).

    Monitoring never breaks the job: when Vigil cannot be reached, ``ping`` and the lease calls log a
    warning on the ``vigil_client`` logger and the job goes on. The one exception is ``LeaseHeld``: a lease
    held elsewhere means the job must not run. Breakers and gates are asked for a decision, so there the
    caller's ``fail_open`` choice decides (by default breakers let the call through, gates stay closed).
    """

    def __init__(
        self,
        url: Optional[str] = None,
        key: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        retries: int = DEFAULT_RETRIES,
        holder: Optional[str] = None,
    ) -> None:
        env = os.environ
        url = url or env.get("VIGIL_URL") or DEFAULT_URL
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"Vigil URL {url!r} is not an http(s) URL")
        if not timeout > 0:
            raise ValueError(f"timeout must be positive seconds, not {timeout!r}")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, not {retries!r}")
        self.url = url.rstrip("/")
        self.timeout = float(timeout)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self._transport = Transport(self.url, _resolve_key(key or env.get("VIGIL_API_KEY")), self.timeout, retries)

    def __repr__(self) -> str:
        # Never the key.
        return f"Vigil(url={self.url!r}, timeout={self.timeout:g})"

    # -- pings -----------------------------------------------------------------------------------------------

    def ping(
        self,
        check: str,
        *,
        start: bool = False,
        fail: bool = False,
        exit_code: Optional[int] = None,
        log: bool = False,
        rid: Union[str, uuid.UUID, None] = None,
        data_ts: Optional[DataTs] = None,
        body: Union[str, bytes, None] = None,
    ) -> bool:
        """Sends one signal: success by default, or ``start``, ``fail``, ``exit_code`` (0 success, 1-255
        failure) or ``log`` (recorded, changes nothing). ``check`` is the check's name (the key is used as the
        ping key) or its UUID (no key needed). ``data_ts`` is the time of the newest data the job has: epoch
        seconds, an aware datetime or an RFC 3339 string with an offset (a naive datetime is refused with
        ``ValueError``). ``body`` becomes the run's log. Returns True when Vigil recorded it; otherwise logs a
        warning and returns False, never raises for an outage."""
        kinds = [name for name, on in (("start", start), ("fail", fail), ("log", log)) if on]
        if exit_code is not None:
            if isinstance(exit_code, bool) or not isinstance(exit_code, int) or not 0 <= exit_code <= 255:
                raise ValueError(f"exit_code {exit_code!r} must be an int between 0 and 255")
            kinds.append(str(exit_code))
        if len(kinds) > 1:
            raise ValueError(f"a ping is one kind; got {', '.join(kinds)}")
        query: Dict[str, str] = {}
        rid_text = check_rid(rid)
        if rid_text is not None:
            query["rid"] = rid_text
        if data_ts is not None:
            query["data_ts"] = format_data_ts(data_ts)
        data = body.encode("utf-8") if isinstance(body, str) else body

        what = f"ping of {check!r}"
        if is_uuid(check):
            path = "/ping/" + check
        elif self._transport.key:
            path = "/ping/" + urllib.parse.quote(self._transport.key, safe="") + "/" + urllib.parse.quote(check, safe="")
        else:
            logger.warning("%s not sent: pinging by name needs a key (VIGIL_API_KEY), or ping by the check's UUID", what)
            return False
        if kinds:
            path += "/" + kinds[0]
        if query:
            path += "?" + urllib.parse.urlencode(query)
        try:
            # Not retried: a ping that reached Vigil but whose answer was lost would count twice.
            answer = self._transport.request(
                "POST", path, what, data=data or b"", content_type="text/plain; charset=utf-8", authorize=False
            )
        except Unreachable as problem:
            logger.warning("%s", problem)
            return False
        if answer.status in (200, 201):
            text = answer.body.decode("utf-8", "replace")
            if text.startswith("OK ("):
                # always_200 servers say "OK (not found)" / "OK (rate limited)" instead of 404 / 429.
                logger.warning("%s: Vigil answered %s", what, text.strip())
                return False
            return True
        reason = {404: "no such check, or the key is not a ping key"}.get(answer.status, answer.detail())
        logger.warning("%s: Vigil answered %d: %s", what, answer.status, reason)
        return False

    # -- leases ----------------------------------------------------------------------------------------------

    def lease(self, check: str, ttl: Ttl = "12m", holder: Optional[str] = None) -> Lease:
        """The check's lease, taken on ``with`` entry (see ``Lease``). ``ttl`` is how long it lasts without a
        renewal (``"12m"``, seconds, a ``timedelta``); it is renewed every third of that while held.
        ``holder`` names this process in Vigil's answers (default ``host:pid``)."""
        wire, seconds = parse_ttl(ttl)
        return Lease(self._transport, check, wire, seconds, holder or self.holder)

    def job(self, check: str, ttl: Ttl = "12m", holder: Optional[str] = None) -> Callable[[F], F]:
        """Decorator: runs the function under the check's lease, as ``with self.lease(check, ttl, holder)``.
        Inside, ``vigil_client.current_lease()`` returns the lease (for ``lost`` and ``fencing_token``)."""
        parse_ttl(ttl)  # refuse a bad TTL where the decorator is written, not at the first run

        def decorate(fn: F) -> F:
            @functools.wraps(fn)
            def run(*args: Any, **kwargs: Any) -> Any:
                with self.lease(check, ttl, holder):
                    return fn(*args, **kwargs)

            return cast(F, run)

        return decorate


    # -- breakers and gates ----------------------------------------------------------------------------------

    def breaker(
        self,
        name: str,
        *,
        fail_open: bool = True,
        is_failure: Optional[Callable[[BaseException], bool]] = None,
        holder: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> Breaker:
        """The shared breaker ``name`` (declared in Vigil's config under ``breakers:``); see ``Breaker``.
        ``with v.breaker("binance-api").call(): place_order()`` asks for a permit first (refused:
        ``BreakerOpen`` with ``retry_after_s``) and reports the outcome after. ``fail_open`` (default True)
        decides when Vigil cannot be asked; ``is_failure`` picks which exceptions count against the dependency
        (default: every ``Exception``); ``timeout`` overrides the client's for this breaker's calls."""
        return Breaker(
            self._transport, name, holder or self.holder, fail_open=fail_open, is_failure=is_failure, timeout=_timeout(timeout)
        )

    def gate(self, name: str, *, fail_open: bool = False, timeout: Optional[float] = None) -> Gate:
        """The gate ``name`` (declared in Vigil's config under ``gates:``); see ``Gate``.
        ``v.gate("trading").require()`` raises ``GateClosed`` with every reason unless it is open;
        ``wait(timeout)`` blocks until it opens. ``fail_open`` (default False) decides when Vigil cannot be
        asked; ``timeout`` overrides the client's for this gate's calls."""
        return Gate(self._transport, name, fail_open=fail_open, timeout=_timeout(timeout))


def _timeout(value: Optional[float]) -> Optional[float]:
    if value is not None and not value > 0:
        raise ValueError(f"timeout must be positive seconds, not {value!r}")
    return None if value is None else float(value)


def _resolve_key(given: Optional[str]) -> Optional[str]:
    if not given:
        return None
    if not given.startswith("file:"):
        return given
    path = given[len("file:"):]
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError as error:
        # Monitoring never breaks the job, not even through a missing key file: every call will warn instead.
        logger.warning("the Vigil key file %s cannot be read (%s); calls that need a key will fail", path, error.strerror or error)
        return None
