"""One HTTP exchange with Vigil, bounded in time, retried only where a repeat cannot do harm."""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping, Optional

logger = logging.getLogger("vigil_client")

_USER_AGENT = "vigil-client-python/0.1"
# Answers that say "nothing was done, ask again": Vigil's own 503 means nothing was acknowledged.
_RETRYABLE_STATUS = frozenset({502, 503, 504})


class Unreachable(Exception):
    """No usable answer: refused, timed out, reset, or a 5xx. Internal: callers turn it into a warning."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else {}
        except (ValueError, UnicodeDecodeError):
            return {}

    def detail(self) -> str:
        """The problem's sentence (``detail``, else ``title``), or the plain text Vigil answered."""
        doc = self.json()
        if isinstance(doc, dict):
            for field in ("detail", "title"):
                value = doc.get(field)
                if isinstance(value, str) and value:
                    return value
        return self.body.decode("utf-8", "replace").strip()[:300] or f"HTTP {self.status}"


class Transport:
    """Sends requests to one Vigil server with one key. Thread-safe: it keeps no per-request state."""

    def __init__(self, url: str, key: Optional[str], timeout: float, retries: int, backoff: float = 0.5) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json_body: Optional[Mapping[str, Any]] = None,
        data: Optional[bytes] = None,
        content_type: Optional[str] = None,
        authorize: bool = True,
        retry: bool = False,
        timeout: Optional[float] = None,
    ) -> Response:
        """One call, described in warnings as ``what`` (never the path: a ping path holds the key).
        ``retry`` only for idempotent or token-carrying calls (a repeated ping or acquire would
        count twice). ``timeout`` overrides the transport's for this call. Raises ``Unreachable`` when no answer
        came; any HTTP answer below 500 is returned."""
        headers = {"User-Agent": _USER_AGENT, "Accept": "application/json"}
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            content_type = "application/json"
        if content_type is not None:
            headers["Content-Type"] = content_type
        if authorize and self.key:
            headers["Authorization"] = "Bearer " + self.key
        attempts = 1 + (self.retries if retry else 0)
        problem = ""
        for attempt in range(attempts):
            if attempt:
                # Exponential backoff with jitter, so many clients of a restarting Vigil do not return in step.
                time.sleep(self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random() / 2))
            request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                    return Response(answer.status, answer.read())
            except urllib.error.HTTPError as error:
                body = _read(error)
                if error.code not in _RETRYABLE_STATUS and error.code < 500:
                    return Response(error.code, body)
                problem = f"{what}: Vigil answered {error.code}: {Response(error.code, body).detail()}"
            except (OSError, http.client.HTTPException) as error:
                # URLError (refused, DNS), socket timeouts and resets are all OSError here.
                reason = getattr(error, "reason", None) or error
                problem = f"{what}: cannot reach Vigil at {self.url}: {reason or type(error).__name__}"
        if attempts > 1:
            problem += f" (after {attempts} attempts)"
        raise Unreachable(problem)

    def report(self, path: str, what: str, body: Mapping[str, Any], *, gone: str, retry: bool,
               timeout: Optional[float] = None) -> bool:
        """POSTs an outcome that must never break the caller (a lease's release, a breaker's report): True when
        Vigil recorded it; otherwise a warning (``gone`` says what a 410 means here) and False."""
        try:
            answer = self.request("POST", path, what, json_body=body, retry=retry, timeout=timeout)
        except Unreachable as problem:
            logger.warning("%s; the outcome was not recorded", problem)
            return False
        if answer.status == 200:
            return True
        if answer.status == 410:
            logger.warning("%s: %s", what, gone)
        else:
            logger.warning("%s: Vigil answered %d: %s", what, answer.status, answer.detail())
        return False


def _read(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read()
    except (OSError, http.client.HTTPException):
        return b""
