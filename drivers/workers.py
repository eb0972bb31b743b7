"""What every driver's worker thread shares: a start refused while the old worker still runs."""

from __future__ import annotations


class WorkerStillRunning(RuntimeError):
    """start() refused: the last worker missed its join timeout and has not ended yet.

    A driver keeps the thread it could not join; starting a second one beside it would put two
    workers on one device. The caller retries once the old one has ended (`stop` again joins it).
    """

    def __init__(self, name: str) -> None:
        super().__init__(f"{name}: the previous worker has not ended yet")
        self.name = name
