"""Card readers at the desk: reader events become credentials, refusals and status lines."""

from __future__ import annotations

import importlib.util
import logging

from drivers.idcard import (
    CardError,
    CardEvent,
    CardUid,
    IdCardRead,
    PcscReader,
    ReaderState,
    SamReader,
)
from drivers.idcard.base import CardReader
from kiosk.config import Config
from kiosk.core.model import Method
from kiosk.runtime.devices import DeskPort, Device, StatusBoard
from kiosk.services.checkin import Credential

log = logging.getLogger(__name__)

SAM_NAME = "身份证 SAM"
PCSC_NAME = "IC卡 PC/SC"


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

    def __init__(self, desk: DeskPort, board: StatusBoard, *, label: str, method: Method) -> None:
        self._desk = desk
        self._board = board
        self._label = label
        self._method = method

    def __call__(self, event: CardEvent) -> None:
        """Route one reader event."""
        if isinstance(event, ReaderState):
            self._board.report(self._label, ok=event.ok, detail=event.detail)
        elif isinstance(event, CardError):
            # The driver already logged it (masked); the desk shows it and keeps a denied record.
            self._desk.submit_refusal(
                method=self._method,
                reason=event.code,
                message_zh=event.message_zh,
                message_en=event.message_en,
                detail=event.detail,
            )
        else:
            credential = credential_for(event)
            if credential is not None:
                self._desk.submit(credential)


class ReaderDevice:
    """A card reader driver with the runtime's start/stop contract."""

    def __init__(self, name: str, reader: CardReader, *, stop_timeout: float = 2.0) -> None:
        self.name = name
        self.reader = reader
        self._stop_timeout = stop_timeout

    def start(self) -> None:
        """Start polling."""
        self.reader.start()

    def stop(self) -> None:
        """Stop polling (idempotent)."""
        self.reader.stop(self._stop_timeout)


def card_readers(config: Config, *, desk: DeskPort, board: StatusBoard) -> list[Device]:
    """The SAM and PC/SC readers the configuration enables; a status line for each missing one."""
    devices: list[Device] = []
    if config.sam.enabled:
        if importlib.util.find_spec("serial") is None:
            board.report(SAM_NAME, ok=False, detail="pyserial not installed: SAM reader disabled")
        else:
            sam = SamReader(
                config.sam.port,
                baudrate=config.sam.baudrate,
                fingerprint=config.sam.read_fingerprint,
            )
            sam.add_listener(CardRouter(desk, board, label=SAM_NAME, method=Method.ID_CARD))
            devices.append(ReaderDevice(SAM_NAME, sam))
    else:
        log.info("SAM ID-card reader not configured ([sam] enabled = false)")
    if config.pcsc.enabled:
        pcsc = PcscReader(
            reader_filter=config.pcsc.reader_filter, uid_format=config.pcsc.uid_format
        )
        # pyscard missing: the reader itself reports UNAVAILABLE with the reason, then ends.
        pcsc.add_listener(CardRouter(desk, board, label=PCSC_NAME, method=Method.IC_CARD))
        devices.append(ReaderDevice(PCSC_NAME, pcsc))
    else:
        log.info("PC/SC card reader not configured ([pcsc] enabled = false)")
    return devices
