"""The kiosk's local SQLite store: one database object (`LocalDb`) and its parts.

`Store.open(path)` gives `store.roster`, `store.records`, `store.outbox` and `store.keys` over one
connection; consumers that need only a part take a narrow Protocol of their own.
"""

from sync.store.database import FieldCipher, LocalDb, PlainFields
from sync.store.records import StoredEvent, templates_revision_key
from sync.store.store import Store

__all__ = [
    "FieldCipher",
    "LocalDb",
    "PlainFields",
    "Store",
    "StoredEvent",
    "templates_revision_key",
]
