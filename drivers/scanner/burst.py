"""Tell a keyboard-wedge scanner's burst from human typing: a pure state machine.

A scanner "types" its payload at a few milliseconds per key and ends with a terminator (Enter
or Tab); people type at 80–300 ms per key. Keys are held back while a burst may be under way and
end either as one `Scan` (fast all along, long enough, right prefix/suffix, terminator seen) or
as a `Replay` of the held keys, in order, to be delivered as ordinary typing. The Qt event filter
and the evdev reader both drive this class; `token` is whatever they need to replay a key.
Time is passed in (milliseconds), so tests replay recorded timings exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

K = TypeVar("K")
TerminatorKind = Literal["enter", "tab", "none"]


@dataclass(frozen=True, slots=True)
class BurstConfig:
    """What a scan looks like: timing, terminator, length and the scanner's prefix/suffix."""

    max_interkey_ms: float = 35.0
    min_length: int = 6  # payload characters, prefix and suffix excluded
    terminator: TerminatorKind = "enter"
    prefix: str = ""
    suffix: str = ""
    max_length: int = 2048  # a runaway burst ends here (the verifier rejects it as oversized)

    def __post_init__(self) -> None:
        if self.max_interkey_ms <= 0 or self.min_length < 1 or self.max_length < self.min_length:
            raise ValueError("burst timing and lengths must be positive and consistent")


@dataclass(frozen=True, slots=True)
class Scan:
    """A complete scan, prefix and suffix removed."""

    text: str


@dataclass(frozen=True, slots=True)
class Replay(Generic[K]):
    """Held keys that turned out to be typing: deliver them, in order."""

    tokens: tuple[K, ...]


@dataclass(frozen=True, slots=True)
class Step(Generic[K]):
    """What to do after one input: these actions first, then hold/consume or deliver the key."""

    actions: tuple[Scan | Replay[K], ...] = ()
    swallow: bool = False  # True: the key just fed is held (or consumed by a scan)


class BurstDecoder(Generic[K]):
    """Feeds printable keys, terminators, other keys and timer ticks; not thread-safe."""

    def __init__(self, config: BurstConfig | None = None):
        self.config = config or BurstConfig()
        self._chars: list[str] = []
        self._tokens: list[K] = []
        self._last = 0.0

    @property
    def pending(self) -> int:
        """How many keys are held."""
        return len(self._chars)

    def deadline(self) -> float | None:
        """When a held burst ends if no key arrives (call `tick` then), or None."""
        return self._last + self.config.max_interkey_ms if self._chars else None

    def char(self, ch: str, token: K, at_ms: float) -> Step[K]:
        """A key that types `ch`: held until it is clear whether it belongs to a scan."""
        actions = self._expire(at_ms)
        self._chars.append(ch)
        self._tokens.append(token)
        self._last = at_ms
        if len(self._chars) >= self.config.max_length:
            actions.append(self._finish(as_scan=True))
        return Step(tuple(actions), swallow=True)

    def terminator(self, kind: Literal["enter", "tab"], token: K, at_ms: float) -> Step[K]:
        """Enter or Tab: ends a burst as a scan (consumed) or as typing (delivered after it)."""
        actions = self._expire(at_ms)
        if not self._chars:
            return Step(tuple(actions))
        if kind == self.config.terminator and self._is_scan():
            actions.append(self._finish(as_scan=True))
            return Step(tuple(actions), swallow=True)
        actions.append(self._end_of_burst())
        return Step(tuple(actions))

    def other(self, at_ms: float) -> Step[K]:
        """Any other key (arrows, Backspace, Ctrl+…, auto-repeat): held keys go first as typing."""
        actions = self._expire(at_ms)
        if self._chars:
            actions.append(self._end_of_burst())
        return Step(tuple(actions))

    def tick(self, now_ms: float) -> Step[K]:
        """The timer: a burst whose next key is overdue has ended."""
        return Step(tuple(self._expire(now_ms, inclusive=True)))

    def _expire(self, now_ms: float, *, inclusive: bool = False) -> list[Scan | Replay[K]]:
        if not self._chars:
            return []
        # Compared as deadline() computes it, so a tick at exactly the deadline always ends it.
        end = self._last + self.config.max_interkey_ms
        late = now_ms >= end if inclusive else now_ms > end
        return [self._end_of_burst()] if late else []

    def _end_of_burst(self) -> Scan | Replay[K]:
        # Without a terminator configured, a fast, long-enough burst is a scan when it stops.
        as_scan = self.config.terminator == "none" and self._is_scan()
        return self._finish(as_scan=as_scan)

    def _is_scan(self) -> bool:
        c = self.config
        text = "".join(self._chars)
        body = len(text) - len(c.prefix) - len(c.suffix)
        return body >= c.min_length and text.startswith(c.prefix) and text.endswith(c.suffix)

    def _finish(self, *, as_scan: bool) -> Scan | Replay[K]:
        text = "".join(self._chars)
        tokens = tuple(self._tokens)
        self._chars.clear()
        self._tokens.clear()
        if not as_scan:
            return Replay(tokens)
        c = self.config
        if c.prefix and text.startswith(c.prefix):
            text = text[len(c.prefix) :]
        if c.suffix and text.endswith(c.suffix):
            text = text[: len(text) - len(c.suffix)]
        return Scan(text)
