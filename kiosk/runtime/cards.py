"""Card readers at the desk: reader events become credentials, refusals and status lines."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable

from drivers.idcard import (
    CardError,
    CardEvent,
    CardUid,
    IdCardRead,
    PcscReader,
    ReaderState,
    ReaderStatus,
    SamReader,
)
from drivers.idcard.base import CardReader
from kiosk.config import Config
from kiosk.core.model import Method
from kiosk.runtime.devices import DeskPort, Device, DeviceReason, StatusBoard
from kiosk.services.checkin import Credential
from kiosk.services.driver_texts import card_error_text

log = logging.getLogger(__name__)

SAM_NAME = "身份证 SAM"
PCSC_NAME = "IC卡 PC/SC"

# Asked on the reader's thread with an ID-card credential and the card's photo bytes; returns at
# once, True when it holds the tap for a face check and submits (or refuses) it later itself.
CardVerifier = Callable[[Credential, bytes | None], bool]


def credential_for(event: CardEvent) -> Credential | None:
    """The credential a reader event presents, or None for events that present nothing."""
    if isinstance(event, IdCardRead):
        return Credential.id_card(
            document=event.document, name=event.text.name, valid_to=event.valid_to
        )
    if isinstance(event, CardUid):
        return Credential.card_uid(event.uid)
    return None


class CardRouter:
    """A reader listener (on the reader's thread): queues work on the desk, never waits for it."""

    def __init__(
        self,
        desk: DeskPort,
        board: StatusBoard,
        *,
        label: str,
        where: str,
        method: Method,
        verifier: CardVerifier | None = None,
    ) -> None:
        self._desk = desk
        self._board = board
        self._label = label
        self._where = where  # the reader's port (or service) as staff read it in its state
        self._method = method
        self._verifier = verifier

    def __call__(self, event: CardEvent) -> None:
        """Route one reader event."""
        if isinstance(event, ReaderState):
            starting = event.status is ReaderStatus.STARTING
            reason = DeviceReason(f"reader_{event.status.value}", (self._where,))
            self._board.report(
                self._label, ok=event.ok, reason=reason, detail=event.detail, starting=starting
            )
        elif isinstance(event, CardError):
            # The driver already logged it (masked); the desk shows it and keeps a denied record.
            zh, en = card_error_text(event.code)
            self._desk.submit_refusal(
                method=self._method,
                reason=event.code,
                message_zh=zh,
                message_en=en,
                detail=event.detail,
            )
        else:
            credential = credential_for(event)
            if credential is not None and not self._held(credential, event):
                self._desk.submit(credential)

    def _held(self, credential: Credential, event: CardEvent) -> bool:
        """Whether the verifier holds this ID-card tap for a face check (it answers later)."""
        if self._verifier is None or not isinstance(event, IdCardRead):
            return False
        try:
            return self._verifier(credential, event.photo_wlt)
        # A bug in the optional face check must not lose the tap: the card works as without it.
        except Exception:
            log.exception("card verifier failed; the card checks in without it")
            return False


class ReaderDevice:
    """A card reader driver with the runtime's start/stop contract."""

    def __init__(self, name: str, reader: CardReader, *, stop_timeout: float = 2.0) -> None:
        self.name = name
        self.reader = reader
        self.stop_timeout = stop_timeout  # the join timeout for the worker

    def start(self) -> None:
        """Start polling."""
        self.reader.start()

    def stop(self) -> None:
        """Stop polling (idempotent)."""
        self.reader.stop(self.stop_timeout)

    def reconnect(self) -> None:
        """Close the reader and open it again (staff's reconnect; blocks while it stops)."""
        self.stop()
        self.start()


def card_readers(
    config: Config, *, desk: DeskPort, board: StatusBoard, verifier: CardVerifier | None = None
) -> list[Device]:
    """The enabled SAM and PC/SC readers (`verifier` sees SAM ID cards only); lines for missing."""
    devices: list[Device] = []
    if config.sam.enabled:
        if importlib.util.find_spec("serial") is None:
            board.report(SAM_NAME, ok=False, reason=DeviceReason("reader_unavailable"),
                         detail="pyserial not installed: SAM reader disabled")  # fmt: skip
        else:
            sam = SamReader(
                config.sam.port,
                baudrate=config.sam.baudrate,
                fingerprint=config.sam.read_fingerprint,
            )
            router = CardRouter(
                desk,
                board,
                label=SAM_NAME,
                where=config.sam.port,
                method=Method.ID_CARD,
                verifier=verifier,
            )
            sam.add_listener(router)
            devices.append(ReaderDevice(SAM_NAME, sam))
    else:
        log.info("SAM ID-card reader not configured ([sam] enabled = false)")
    if config.pcsc.enabled:
        pcsc = PcscReader(
            reader_filter=config.pcsc.reader_filter, uid_format=config.pcsc.uid_format
        )
        # pyscard missing: the reader itself reports UNAVAILABLE with the reason, then ends.
        pcsc.add_listener(
            CardRouter(desk, board, label=PCSC_NAME, where="PC/SC", method=Method.IC_CARD)
        )
        devices.append(ReaderDevice(PCSC_NAME, pcsc))
    else:
        log.info("PC/SC card reader not configured ([pcsc] enabled = false)")
    return devices
