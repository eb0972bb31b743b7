"""Retention in a running kiosk: purge what is due at start and every hour; tell listeners.

PIPL asks that personal data be kept no longer than needed; a kiosk may run for weeks, so waiting
for an operator to type `cme-kiosk purge` is not enough. Listeners (the face gallery in memory)
drop what the store dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from kiosk.config import PrivacySection
from kiosk.core.errors import KioskError
from kiosk.core.timeutil import Clock, utc_now
from sync.store import Store

log = logging.getLogger(__name__)

INTERVAL_S = 3600.0


def purge_due(store: Store, privacy: PrivacySection, *, clock: Clock = utc_now) -> list[str]:
    """Purge every project whose retention ended; return their numbers."""
    return store.purge_due(
        now=clock(),
        after_submission=timedelta(days=privacy.retention_days_after_submission),
        if_never_submitted=timedelta(days=privacy.retention_days_if_never_submitted),
    )


class RetentionLoop(threading.Thread):
    """Purges due projects now and every `interval_s`; `on_purged` gets each purged number."""

    def __init__(
        self,
        store: Store,
        privacy: PrivacySection,
        *,
        on_purged: Callable[[str], None] | None = None,
        interval_s: float = INTERVAL_S,
        clock: Clock = utc_now,
    ):
        super().__init__(name="retention", daemon=True)
        self._store = store
        self._privacy = privacy
        self._on_purged = on_purged
        self._interval = interval_s
        self._clock = clock
        self._halt = threading.Event()
        self.purged: list[str] = []

    def step(self) -> list[str]:
        """One pass: purge what is due and notify; storage trouble is logged, never fatal."""
        try:
            done = purge_due(self._store, self._privacy, clock=self._clock)
        except KioskError as exc:  # a full disk: try again next hour
            log.error("retention purge failed: %s", exc.detail)
            return []
        for number in done:
            self.purged.append(number)
            if self._on_purged is not None:
                try:
                    self._on_purged(number)
                except Exception:  # a listener's bug must not stop retention
                    log.exception("retention listener failed for %s", number)
        return done

    def run(self) -> None:
        """Purge at start, then every interval until stopped."""
        while True:
            self.step()
            if self._halt.wait(self._interval):
                return

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the pass in progress."""
        self._halt.set()
        if self.is_alive():
            self.join(timeout)
