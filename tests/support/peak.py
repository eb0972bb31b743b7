"""The province's peak traffic, open loop: taps arrive as a Poisson process, desks drain like kiosks.

A tap lands on a random desk (seeded); the desk drains as the kiosk's sync worker does: every
`idle_s` (push_interval_s; a tap does not kick it), every record pending in one batch carrying
the status report, or, with nothing pending, a report only when `heartbeat_s` passed since the
platform last took one; and a pull (the changes, then the bundle only if they say it changed)
every `pull_s`.
The schedule does not wait for answers, so a slow platform shows as latency, never as less load
(a closed loop would hide it). Records are signed before the phase (LoadDesk.prepare).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field

from tests.support.load import LoadDesk, Timings


@dataclass
class PeakDesk:
    """A LoadDesk driven like a kiosk's sync worker and pull loop."""

    desk: LoadDesk
    pending: list[tuple[bytes, int]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    tapped: int = 0  # records made pending so far
    sent: int = 0  # records answered
    top: int = 0  # the highest seq sent
    acked_at: float = 0.0  # when the platform last took a report (monotonic)
    heartbeat_s: float = 60.0

    def tap(self) -> None:
        """A person tapped at this desk: the next signed record is pending until the next drain."""
        self.pending.append(self.desk.singles[self.tapped])
        self.tapped += 1

    async def run(
        self, *, until: float, done: asyncio.Event, idle_s: float, heartbeat_s: float,
        pull_s: float, rng: random.Random, uploads: Timings, reports: Timings, pulls: Timings,
    ) -> None:  # fmt: skip
        """Drain and pull on the kiosk's schedule until `until` (monotonic); once the taps are
        `done`, send what is pending and stop."""
        now = time.monotonic()
        next_idle, next_pull = now + rng.uniform(0, idle_s), now + rng.uniform(0, pull_s)
        self.heartbeat_s = heartbeat_s
        self.acked_at = now - rng.uniform(0, heartbeat_s)  # desks' heartbeats spread out
        while True:
            now = time.monotonic()
            if done.is_set() and not self.pending:
                return
            if now >= until:
                next_idle = next_pull = now + 0.05  # only what the last taps left, soon
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), max(0.0, min(next_idle, next_pull) - now))
            self.wake.clear()
            now = time.monotonic()
            if now >= next_idle:
                await self._drain(uploads, reports)
                next_idle = time.monotonic() + idle_s
            if now >= next_pull and now < until:
                await self.desk.pull(pulls)
                next_pull += pull_s
            if now >= until and not self.pending:
                await done.wait()

    async def _drain(self, uploads: Timings, reports: Timings) -> None:
        batch, self.pending = self.pending, []
        if batch:
            body = b'{"records":[' + b",".join(r for r, _ in batch) + b"]}"
            await self.desk.post_batch(body, len(batch), uploads, report=batch[-1][1])
            self.sent += len(batch)
            self.top = batch[-1][1]
            self.acked_at = time.monotonic()
        elif time.monotonic() - self.acked_at >= self.heartbeat_s:
            await self.desk.report(self.top, reports)
            self.acked_at = time.monotonic()


async def taps(
    desks: list[PeakDesk], *, rate: float, until: float, done: asyncio.Event, rng: random.Random
) -> int:
    """Taps at `rate` per second (exponential gaps) on random desks until `until`; how many.

    Sets `done` after the last tap, so no desk stops with a tap still to come.
    """
    count = 0
    next_at = time.monotonic()
    try:
        while True:
            next_at += rng.expovariate(rate)
            if next_at >= until:
                return count
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            rng.choice(desks).tap()
            count += 1
    finally:
        done.set()
        for d in desks:
            d.wake.set()
