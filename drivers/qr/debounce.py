"""A code held in front of the camera is one event, not one per frame."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.qr.detection import Detection


class Debouncer:
    """Reports a code when it comes into view; again only after it was out of view for `gap_s`.

    Decoders miss a code in some frames while it is held (motion blur, glare), so "out of view"
    means not decoded for `gap_s` seconds, not one missed frame. Pure: time is passed in.
    """

    def __init__(self, gap_s: float = 1.0):
        if gap_s < 0:
            raise ValueError("gap_s must not be negative")
        self.gap_s = gap_s
        self._last_seen: dict[tuple[bytes, str], float] = {}

    def feed(self, detections: Sequence[Detection], at: float) -> list[Detection]:
        """The detections in this frame that are new events (first sighting or back in view)."""
        # Forget codes out of view long enough: their next sighting is a new presentation.
        self._last_seen = {k: t for k, t in self._last_seen.items() if at - t <= self.gap_s}
        new: list[Detection] = []
        for d in detections:
            key = (d.raw, d.format)
            if key not in self._last_seen and all(n.raw != d.raw for n in new):
                new.append(d)
            self._last_seen[key] = at
        return new

    def reset(self) -> None:
        """Forget every code (e.g. after the desk changes project)."""
        self._last_seen.clear()
