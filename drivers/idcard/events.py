"""What card readers emit, as frozen dataclasses: reads, UIDs, errors, removals, status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from drivers.idcard.text import IdCardText
from kiosk.core.ids import IdentityDocument


class ReaderStatus(StrEnum):
    """A reader's state, for the desk's status line."""

    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"  # polling for cards
    ABSENT = "absent"  # nothing at the configured port / no reader; retrying
    RECONNECTING = "reconnecting"  # it worked and went away (unplugged, service restarted)
    FAULT = "fault"  # the reader answers but cannot work (SAM fault); retrying
    UNAVAILABLE = "unavailable"  # a library is missing: the feature is off


@dataclass(frozen=True, slots=True)
class ReaderState:
    """A status change with a line the desk can show as is."""

    reader: str
    status: ReaderStatus
    detail: str
    t: float  # time.monotonic() of the change

    @property
    def ok(self) -> bool:
        """Whether the reader is polling for cards."""
        return self.status is ReaderStatus.READY


@dataclass(frozen=True, slots=True)
class IdCardRead:
    """An ID card or permit read by a SAM reader, its number validated.

    `t_frame` is the monotonic time the read response was complete (its last byte arrived), so
    callers can measure the software overhead from there.
    """

    reader: str
    text: IdCardText
    document: IdentityDocument = field(repr=False)  # unmasked: never log it
    valid_to: date | None  # None: 长期
    expired: bool  # valid_to before the reader's `today`
    photo_wlt: bytes = field(repr=False)
    fingerprint: bytes | None = field(default=None, repr=False)
    t_frame: float = 0.0
    t: float = 0.0


@dataclass(frozen=True, slots=True)
class CardUid:
    """A contactless card's UID from a PC/SC reader, formatted as the roster stores it."""

    reader: str
    uid: str  # formatted with the configured format
    raw: bytes = field(repr=False)
    atr: bytes = field(repr=False)
    t: float = 0.0


@dataclass(frozen=True, slots=True)
class CardRemoved:
    """The card left the reader (a new placement may follow)."""

    reader: str
    t: float


@dataclass(frozen=True, slots=True)
class CardError:
    """A card was presented but cannot be used; `code` is the reason the screen puts in words."""

    reader: str
    code: str  # one of CARD_ERROR_CODES, e.g. card_not_readable, invalid_number
    detail: str  # for the log: never an unmasked document number
    t: float


CardEvent = IdCardRead | CardUid | CardRemoved | CardError | ReaderState
