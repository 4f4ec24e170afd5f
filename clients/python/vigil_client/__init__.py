"""Vigil's Python client: pings, leases renewed in the background, a job decorator, shared breakers and gates.

    from vigil_client import Vigil

    v = Vigil()                                   # VIGIL_URL / VIGIL_API_KEY, or Vigil(url=..., key=...)
    v.ping("harvest-publisher", data_ts=last_update_epoch)

    with v.lease("signal-router", ttl="12m") as lease:
        ...                                       # lease.fencing_token; lease.lost is a threading.Event

    with v.breaker("binance-api").call():         # BreakerOpen(retry_after_s) when refused
        place_order()                             # failure reported on exception, success otherwise

    v.gate("trading").require()                   # GateClosed(reasons) unless open

Standard library only. Monitoring never breaks the job: when Vigil cannot be reached, calls log a warning on
the ``vigil_client`` logger and the job goes on; only a lease held elsewhere raises (``LeaseHeld``).
Breakers and gates are decisions, so there ``fail_open`` decides: open for breakers, closed for gates.
"""

from ._breaker import Breaker, BreakerCall, Permit
from ._client import Vigil
from ._errors import BreakerOpen, GateClosed, GateReason, Holder, LeaseHeld, LeaseLost, VigilError
from ._gate import Gate, GateStatus, KillSwitch
from ._lease import Lease, current_lease
from ._values import DataTs, Ttl

__all__ = [
    "Breaker",
    "BreakerCall",
    "BreakerOpen",
    "DataTs",
    "Gate",
    "GateClosed",
    "GateReason",
    "GateStatus",
    "Holder",
    "KillSwitch",
    "Lease",
    "LeaseHeld",
    "LeaseLost",
    "Permit",
    "Ttl",
    "Vigil",
    "VigilError",
    "current_lease",
]

__version__ = "0.1.0"
