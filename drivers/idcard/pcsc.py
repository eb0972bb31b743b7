"""PC/SC readers (pyscard): reader and card monitoring with hot-plug, supervised recovery.

One worker thread owns a PC/SC context and blocks in SCardGetStatusChange on every reader plus
the PnP pseudo-reader, so reader hot-plug and card insertion/removal are one loop. When pcscd
stops or restarts (SCARD_E_NO_SERVICE, a transport error, an invalidated handle) the context is
thrown away and re-created with backoff: the thread never dies with the service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from drivers.idcard.base import Listener, Listeners, StateHolder
from drivers.idcard.events import ReaderState, ReaderStatus
from drivers.idcard.pcsc_cards import CardBusy, CardRefused, CardTracker
from drivers.idcard.uid import GET_UID_APDU, format_uid
from drivers.workers import WorkerStillRunning

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
_SW_OK = [0x90, 0x00]


@dataclass(frozen=True, slots=True)
class PcscTiming:
    """Wait and retry figures; tests shorten them."""

    wait_ms: int = 500  # one SCardGetStatusChange call (stop() cancels it anyway)
    relist_s: float = 2.0  # re-list readers this often even without a PnP event
    retry_s: float = 0.25  # first wait before re-creating a context
    max_retry_s: float = 4.0  # backoff ceiling while the service is gone
    # After recovery a card that stayed may show up a moment after its reader: wait this long
    # before calling it removed.
    settle_s: float = 2.0


class _ServiceGone(Exception):
    """The PC/SC service went away: drop the context and re-create it."""


class PcscReader:
    """Every PC/SC reader whose name contains `reader_filter`; a card's UID becomes a CardUid."""

    def __init__(
        self,
        *,
        reader_filter: str = "",
        uid_format: str = "hex",
        name: str = "PC/SC",
        clock: Callable[[], float] = time.monotonic,
        timing: PcscTiming | None = None,
    ) -> None:
        format_uid(b"\x01\x02\x03\x04", uid_format)  # refuse an unknown format now, not later
        self.reader_filter = reader_filter
        self.uid_format = uid_format
        self.name = name
        self.timing = timing or PcscTiming()
        self._clock = clock
        self._listeners = Listeners(name)
        self._state = StateHolder(self._listeners, clock=clock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._scard: ModuleType | None = None
        self._ctx: Any = None
        self._cards = CardTracker(
            self._listeners,
            uid_format=uid_format,
            clock=clock,
            retry_s=self.timing.retry_s,
            settle_s=self.timing.settle_s,
        )
        self.contexts_created = 0  # for tests: recoveries re-create the context

    @property
    def state(self) -> ReaderState:
        """The current status."""
        return self._state.state

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` on the worker thread for every event."""
        self._listeners.add(listener)

    def start(self) -> None:
        """Start the worker thread (idempotent); WorkerStillRunning while the last one ends."""
        if self._thread is not None and self._thread.is_alive():
            if self._stop.is_set():  # stopped but not joined: never a second worker beside it
                raise WorkerStillRunning("PC/SC")
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop monitoring: cancel the blocking wait and join the worker."""
        self._stop.set()
        with self._lock:
            if self._scard is not None and self._ctx is not None:
                self._scard.SCardCancel(self._ctx)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # kept: start() refuses until it has ended
                log.error("PC/SC worker did not stop within %.1f s", timeout)
            else:
                self._thread = None

    # -- worker --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            from smartcard import scard
        except ImportError as exc:
            self._state.set(ReaderStatus.UNAVAILABLE, f"pyscard missing: {exc}")
            return
        self._scard = scard
        self._state.set(ReaderStatus.STARTING, "connecting to the PC/SC service")
        backoff = self.timing.retry_s
        connected_once = False
        while not self._stop.is_set():
            try:
                self._establish()
                self._cards.service_back()
                connected_once, backoff = True, self.timing.retry_s
                self._watch()
            except _ServiceGone as gone:
                self._cards.service_lost()
                status = ReaderStatus.RECONNECTING if connected_once else ReaderStatus.ABSENT
                self._state.set(status, f"PC/SC service unavailable ({gone}); retrying")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.timing.max_retry_s)
            # A bug must not leave a dead monitor: log it, start over with a fresh context.
            except Exception:
                log.exception("PC/SC monitor failed; restarting it")
                self._cards.drop_all()
                self._state.set(ReaderStatus.FAULT, "internal error; restarting PC/SC monitoring")
                self._stop.wait(self.timing.max_retry_s)
            finally:
                self._release()
        self._state.set(ReaderStatus.STOPPED, "stopped")

    def _establish(self) -> None:
        scard = self._sc
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            raise _ServiceGone(scard.SCardGetErrorMessage(hr))
        with self._lock:
            self._ctx = ctx
        self.contexts_created += 1

    def _release(self) -> None:
        with self._lock:
            ctx, self._ctx = self._ctx, None
        if ctx is not None and self._scard is not None:
            self._scard.SCardReleaseContext(ctx)

    @property
    def _sc(self) -> Any:
        assert self._scard is not None
        return self._scard

    def _gone(self, hr: int) -> bool:
        sc = self._sc
        return hr in {
            sc.SCARD_E_NO_SERVICE,
            sc.SCARD_E_SERVICE_STOPPED,
            sc.SCARD_F_COMM_ERROR,
            sc.SCARD_E_INVALID_HANDLE,
            sc.SCARD_F_INTERNAL_ERROR,
        }

    def _list_readers(self) -> list[str]:
        sc = self._sc
        hr, names = sc.SCardListReaders(self._ctx, [])
        if hr == sc.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hr != sc.SCARD_S_SUCCESS:
            if self._gone(hr):
                raise _ServiceGone(sc.SCardGetErrorMessage(hr))
            log.warning("listing PC/SC readers: %s", sc.SCardGetErrorMessage(hr))
            return []
        return [n for n in names if self.reader_filter in n]

    def _watch(self) -> None:
        """Wait for reader and card changes until stop (returns) or the service goes."""
        sc = self._sc
        readers: dict[str, int] = {}
        pnp_state = sc.SCARD_STATE_UNAWARE
        relist_at = 0.0
        while not self._stop.is_set():
            if self._clock() >= relist_at:
                readers = self._relist(readers)
                relist_at = self._clock() + self.timing.relist_s
            self._cards.expire_stale()
            self._cards.retry_due(self._transmit_uid)
            request = [(PNP_READER, pnp_state), *readers.items()]
            wait_ms = self.timing.wait_ms
            pending = self._cards.next_retry_in()
            if pending is not None:
                wait_ms = max(10, min(wait_ms, int(pending * 1000) + 1))
            hr, changes = sc.SCardGetStatusChange(self._ctx, wait_ms, request)
            if hr in (sc.SCARD_E_TIMEOUT, sc.SCARD_E_CANCELLED):
                continue
            if hr in (sc.SCARD_E_UNKNOWN_READER, sc.SCARD_E_READER_UNAVAILABLE):
                relist_at = 0.0  # a reader went away between listing and waiting
                continue
            if hr != sc.SCARD_S_SUCCESS:
                if self._gone(hr):
                    raise _ServiceGone(sc.SCardGetErrorMessage(hr))
                log.warning("waiting for PC/SC changes: %s", sc.SCardGetErrorMessage(hr))
                self._stop.wait(self.timing.retry_s)
                continue
            for reader, event, atr in changes:
                if reader == PNP_READER:
                    if event & sc.SCARD_STATE_CHANGED:
                        relist_at = 0.0
                    pnp_state = event & ~sc.SCARD_STATE_CHANGED
                    continue
                if reader not in readers or not event & sc.SCARD_STATE_CHANGED:
                    continue
                readers[reader] = event & ~sc.SCARD_STATE_CHANGED
                if event & (sc.SCARD_STATE_UNKNOWN | sc.SCARD_STATE_UNAVAILABLE):
                    relist_at = 0.0
                present = bool(event & sc.SCARD_STATE_PRESENT) and not event & sc.SCARD_STATE_MUTE
                self._cards.on_state(
                    reader,
                    present=present,
                    # pcsc-lite counts insertions and removals in the high word.
                    count=(event >> 16) & 0xFFFF,
                    atr=bytes(atr),
                    transmit=self._transmit_uid,
                )

    def _relist(self, known: dict[str, int]) -> dict[str, int]:
        names = self._list_readers()
        current = {n: known.get(n, self._sc.SCARD_STATE_UNAWARE) for n in names}
        for gone in set(known) - set(current):
            log.info("PC/SC reader removed: %s", gone)
            self._cards.reader_gone(gone)
        if names:
            self._state.set(ReaderStatus.READY, "readers: " + ", ".join(names))
        else:
            self._state.set(ReaderStatus.ABSENT, "no PC/SC reader connected; waiting for one")
        return current

    def _transmit_uid(self, reader: str) -> bytes:
        """Connect, send GET UID, disconnect: the raw UID (CardBusy / CardRefused otherwise)."""
        sc = self._sc
        hr, card, protocol = sc.SCardConnect(
            self._ctx, reader, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1
        )
        if hr != sc.SCARD_S_SUCCESS:
            self._check_service(hr)
            gone = hr in (sc.SCARD_E_NO_SMARTCARD, sc.SCARD_W_REMOVED_CARD)
            raise CardBusy(f"connect: {sc.SCardGetErrorMessage(hr)}", gone=gone)
        try:
            hr, response = sc.SCardTransmit(card, protocol, list(GET_UID_APDU))
        finally:
            sc.SCardDisconnect(card, sc.SCARD_LEAVE_CARD)
        if hr != sc.SCARD_S_SUCCESS:
            self._check_service(hr)
            raise CardBusy(f"get UID: {sc.SCardGetErrorMessage(hr)}", gone=False)
        if len(response) < 2 or list(response[-2:]) != _SW_OK:
            sw = bytes(response[-2:]).hex().upper()
            raise CardRefused("uid_not_supported", f"get UID answered SW {sw}")
        return bytes(response[:-2])

    def _check_service(self, hr: int) -> None:
        if self._gone(hr):
            raise _ServiceGone(self._sc.SCardGetErrorMessage(hr))
