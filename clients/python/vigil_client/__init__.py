"""Vigil's Python client: pings, leases renewed in the background, and a job decorator.

    from vigil_client import Vigil

    v = Vigil()                                   # VIGIL_URL / VIGIL_API_KEY, or Vigil(url=..., key=...)
    v.ping("harvest-publisher", data_ts=last_update_epoch)

    with v.lease("signal-router", ttl="12m") as lease:
        ...                                       # lease.fencing_token; lease.lost is a threading.Event

Standard library only. Monitoring never breaks the job: when Vigil cannot be reached, calls log a warning on
the ``vigil_client`` logger and the job goes on; only a lease held elsewhere raises (``LeaseHeld``).
"""

from ._client import Vigil
from ._errors import BreakerOpen, GateClosed, Holder, LeaseHeld, LeaseLost, VigilError
from ._lease import Lease, current_lease
from ._values import DataTs, Ttl

__all__ = [
    "BreakerOpen",
    "DataTs",
    "GateClosed",
    "Holder",
    "Lease",
    "LeaseHeld",
    "LeaseLost",
    "Ttl",
    "Vigil",
    "VigilError",
    "current_lease",
]

__version__ = "0.1.0"
