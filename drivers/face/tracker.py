"""A small IoU tracker: the same face across frames keeps its id, so it is encoded once."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.face.geometry import Box, iou


@dataclass(slots=True)
class Track:
    """One face followed across frames (mutable: owned by the tracker's thread)."""

    id: int
    box: Box
    first_t: float
    last_t: float
    hits: int = 1


class IouTracker:
    """Greedy IoU matching of each frame's boxes to live tracks; tracks unseen for `ttl_s` end."""

    def __init__(self, *, iou_min: float = 0.3, ttl_s: float = 1.0) -> None:
        self.iou_min = iou_min
        self.ttl_s = ttl_s
        self.tracks: dict[int, Track] = {}
        self._next = 1

    def update(self, boxes: list[Box], t: float) -> tuple[list[Track], list[Track]]:
        """(the track of each box, in order; tracks that just ended)."""
        pairs = sorted(
            (
                (iou(tr.box, b), tid, bi)
                for tid, tr in self.tracks.items()
                for bi, b in enumerate(boxes)
            ),
            reverse=True,
        )
        assigned: dict[int, Track] = {}
        used: set[int] = set()
        for score, tid, bi in pairs:
            if score < self.iou_min:
                break
            if tid in used or bi in assigned:
                continue
            tr = self.tracks[tid]
            tr.box, tr.last_t, tr.hits = boxes[bi], t, tr.hits + 1
            assigned[bi] = tr
            used.add(tid)
        for bi, box in enumerate(boxes):
            if bi not in assigned:
                tr = Track(self._next, box, t, t)
                self._next += 1
                self.tracks[tr.id] = tr
                assigned[bi] = tr
        ended = [tr for tr in self.tracks.values() if t - tr.last_t > self.ttl_s]
        for tr in ended:
            del self.tracks[tr.id]
        return [assigned[i] for i in range(len(boxes))], ended

    def clear(self) -> list[Track]:
        """End every track (the desk was reset); returns them."""
        ended = list(self.tracks.values())
        self.tracks.clear()
        return ended
