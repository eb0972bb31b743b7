"""The kiosk's side of sync: the outbox drain, the HTTPS client and the background loops.

`outbox` drains the store's pending records through a `SyncEndpoint`; `client` is that endpoint
over HTTPS (`http` types every failure as in `errors`); `worker` and `pull` are the desk's two
background threads; `status` is what staff are shown.
"""

from typing import TYPE_CHECKING, Any

from sync.client.errors import (
    DeviceRevoked,
    PermanentError,
    SubmissionRefused,
    TransientError,
    UpdateNeeded,
)

if TYPE_CHECKING:
    from sync.client.client import ClockReading, SyncClient, event_record
    from sync.client.outbox import RecordAnswer

# The HTTPS client pulls in httpx: loaded on first use, so a desk's start (which only needs the
# error types) does not wait for it.
_LAZY = {
    "ClockReading": "sync.client.client",
    "SyncClient": "sync.client.client",
    "event_record": "sync.client.client",
    "RecordAnswer": "sync.client.outbox",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


__all__ = [
    "ClockReading",
    "DeviceRevoked",
    "PermanentError",
    "RecordAnswer",
    "SubmissionRefused",
    "SyncClient",
    "TransientError",
    "UpdateNeeded",
    "event_record",
]
