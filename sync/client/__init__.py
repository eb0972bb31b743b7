"""The kiosk's side of sync: the outbox drain, the HTTPS client and the background loops.

`outbox` drains the store's pending records through a `SyncEndpoint`; `client` is that endpoint
over HTTPS (`http` types every failure as in `errors`); `worker` and `pull` are the desk's two
background threads; `status` is what staff are shown.
"""

from sync.client.client import ClockReading, SyncClient, event_record
from sync.client.errors import (
    DeviceRevoked,
    PermanentError,
    SubmissionRefused,
    TransientError,
    UpdateNeeded,
)
from sync.client.outbox import RecordAnswer

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
