"""Turning the caller's values into what Vigil's API accepts, refusing what it would refuse.

Argument mistakes (a naive datetime, a malformed duration) raise ``ValueError`` or ``TypeError`` at once:
they are bugs in the calling code, not monitoring outages, and sending them would only earn a 400 that the
job never sees.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Optional, Tuple, Union

DataTs = Union[int, float, datetime, str]
"""A data timestamp: Unix epoch seconds, an aware ``datetime``, or an RFC 3339 string with an offset."""

Ttl = Union[str, int, float, timedelta]
"""A lease TTL: ``"90s"``, ``"12m"``, ``"1h30m"``, ``"2d"``, ``"250ms"``, seconds, or a ``timedelta``."""

# The server's own grammar (src/Vigil.Domain/Time/Durations.cs), so a string it would refuse fails here.
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$")
_EPOCH = re.compile(r"^\d+(?:\.\d+)?$")
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?([Zz]|[+-]\d{2}:\d{2})$"
)
# The largest epoch Vigil accepts (9999-12-31T23:59:59Z); anything beyond is milliseconds by mistake.
_MAX_EPOCH = 253_402_300_799
_MAX_TTL_S = 7 * 86_400


def format_data_ts(value: DataTs) -> str:
    """The query/JSON text for a data timestamp; a naive datetime or an offset-less string is refused."""
    if isinstance(value, bool):
        raise TypeError("data_ts must be epoch seconds, an aware datetime or an RFC 3339 string, not a bool")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0 or value > _MAX_EPOCH:
            raise ValueError(f"data_ts {value!r} is not Unix epoch seconds (milliseconds by mistake?)")
        if isinstance(value, int):
            return str(value)
        return format(value, ".3f").rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                "data_ts is a naive datetime; Vigil never guesses a time zone: "
                "use datetime.now(timezone.utc) or attach a tzinfo"
            )
        return format_instant(value)
    if isinstance(value, str):
        text = value.strip()
        if _EPOCH.match(text):
            return format_data_ts(float(text)) if "." in text else format_data_ts(int(text))
        if not _RFC3339.match(text):
            raise ValueError(
                f"data_ts {value!r} is not RFC 3339 with an offset (2026-01-31T12:00:00Z); "
                "Vigil never guesses a time zone"
            )
        return text
    raise TypeError(f"data_ts must be epoch seconds, an aware datetime or an RFC 3339 string, not {type(value).__name__}")


def format_instant(value: datetime) -> str:
    """An aware datetime as RFC 3339 UTC with ``Z``."""
    utc = value.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def parse_instant(text: Optional[str]) -> Optional[datetime]:
    """Vigil's instants (RFC 3339, up to 7 fractional digits, ``Z``) as aware datetimes; None when absent."""
    if not text:
        return None
    m = _RFC3339.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if offset in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = 1 if offset[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz)


def parse_ttl(value: Ttl) -> Tuple[Union[str, int], float]:
    """The TTL as sent to Vigil and as seconds (to pace renewals); refuses what the server would."""
    if isinstance(value, bool):
        raise TypeError("ttl must be a duration string, seconds or a timedelta, not a bool")
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            seconds = float(int(text))
        else:
            m = _DURATION.match(text)
            if m is None or not text or not any(m.groups()):
                raise ValueError(f"ttl {value!r} is not a duration; write one such as 90s, 12m, 1h30m, 2d")
            d, h, mi, s, ms = (int(g) if g else 0 for g in m.groups())
            seconds = d * 86_400 + h * 3_600 + mi * 60 + s + ms / 1000
        if not 0 < seconds <= _MAX_TTL_S:
            raise ValueError(f"ttl {value!r} must be longer than 0s and at most 7d")
        return text, seconds
    else:
        raise TypeError(f"ttl must be a duration string, seconds or a timedelta, not {type(value).__name__}")
    if not math.isfinite(seconds) or not 0 < seconds <= _MAX_TTL_S:
        raise ValueError(f"ttl {value!r} must be longer than 0s and at most 7d")
    millis = int(round(seconds * 1000))
    if millis % 1000 == 0:
        return millis // 1000, seconds
    return f"{millis}ms", seconds


def check_rid(rid: Union[str, uuid.UUID, None]) -> Optional[str]:
    """A run id as Vigil wants it (a UUID), or None."""
    if rid is None:
        return None
    if isinstance(rid, uuid.UUID):
        return str(rid)
    try:
        return str(uuid.UUID(str(rid)))
    except ValueError:
        raise ValueError(f"rid {rid!r} is not a UUID") from None


def is_uuid(text: str) -> bool:
    """Whether a check reference is a check's UUID (its ping secret) rather than its name."""
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False
