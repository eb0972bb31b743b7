"""Clip stays to the scheduled sessions: registration, breaks and early arrival never count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

from kiosk.core.credits.pairing import Pair
from kiosk.core.credits.records import CreditFlag
from kiosk.core.model import Method, Session
from kiosk.core.timeutil import SHANGHAI, format_local, local_day

MissingCheckout = Literal["none", "session_end_with_confirmation"]
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Piece:
    """The part of one stay that lies inside one scheduled session."""

    session: Session
    scan_in: datetime
    scan_out: datetime | None  # None: no check-out, the session's end was assumed
    start: datetime  # clipped to the session
    end: datetime
    methods: tuple[Method, ...]
    conflict: bool = False
    # Whole minutes inside the session (seconds below a minute never count); derived from
    # start and end when the piece is made, read many times after.
    minutes: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "minutes", (self.end - self.start) // _MINUTE)

    @property
    def assumed_end(self) -> bool:
        """The end is the session's end proposed by the profile, not a recorded check-out."""
        return self.scan_out is None


@dataclass(frozen=True, slots=True)
class Clipped:
    """An attendee's time inside sessions, with the flags and notes that explain it."""

    pieces: tuple[Piece, ...]
    flags: frozenset[CreditFlag]
    notes: tuple[str, ...]


def _hm(moment: datetime) -> str:
    """HH:MM on the Shanghai clock (format_local's "%H:%M", without strftime's cost)."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.hour:02d}:{local.minute:02d}"


def _assumed_session(scan_in: datetime, sessions: Sequence[Session]) -> Session | None:
    """The session a check-in belongs to: the one it falls in, else the next one that day."""
    for s in sessions:
        if scan_in < s.end:
            return s
    return None


def _pieces(pair: Pair, sessions: Sequence[Session], end: datetime) -> list[Piece]:
    assert pair.check_in is not None
    first, last = pair.check_in.method, pair.check_out.method if pair.check_out else None
    methods = (first,) if last is None or last is first else (first, last)
    scan_out = pair.check_out.at if pair.check_out is not None else None
    out = []
    for s in sessions:
        start, stop = max(pair.check_in.at, s.start), min(end, s.end)
        if stop > start:
            out.append(Piece(s, pair.check_in.at, scan_out, start, stop, methods, pair.conflict))
    return out


def _union(pieces: list[Piece]) -> tuple[list[Piece], bool]:
    """Merge overlapping pieces of the same session so no minute is counted twice."""
    merged: list[Piece] = []
    overlapped = False
    for p in sorted(pieces, key=lambda p: (p.session.start, p.start, p.end)):
        last = merged[-1] if merged else None
        if last is not None and last.session.id == p.session.id and p.start < last.end:
            overlapped = True
            later = p if p.end > last.end else last
            merged[-1] = replace(
                last,
                end=later.end,
                scan_out=later.scan_out,
                methods=tuple(dict.fromkeys((*last.methods, *p.methods))),
                conflict=True,
            )
        else:
            merged.append(p)
    return merged, overlapped


def clip(
    pairs: Sequence[Pair],
    sessions: Sequence[Session],
    *,
    missing_checkout: MissingCheckout,
    by_day: Mapping[date, Sequence[Session]] | None = None,
) -> Clipped:
    """The pieces of every pair inside `sessions`, by the profile's missing check-out policy.

    `by_day` is `sessions` grouped by day and in order, when the caller already has it.
    """
    if by_day is None:
        grouped: dict[date, list[Session]] = {}
        for s in sorted(sessions, key=lambda s: s.start):
            grouped.setdefault(local_day(s.start), []).append(s)
        by_day = grouped
    flags: set[CreditFlag] = set()
    notes: list[str] = []
    pieces: list[Piece] = []
    for pair in pairs:
        notes.extend(pair.notes)
        if pair.conflict:
            flags.add(CreditFlag.CONFLICT)
        day_sessions = by_day.get(pair.day, ())
        if pair.check_in is None:
            assert pair.check_out is not None
            flags.add(CreditFlag.OUT_WITHOUT_IN)
            notes.append(
                f"check-out {format_local(pair.check_out.at)} on {pair.day} has no check-in:"
                " not credited"
            )
            continue
        if pair.check_out is not None:
            inside = _pieces(pair, day_sessions, pair.check_out.at)
            pieces.extend(inside)
            stay = pair.check_out.at - pair.check_in.at
            outside = stay - sum((p.end - p.start for p in inside), timedelta())
            if outside >= timedelta(minutes=1):
                notes.append(
                    f"stay {_hm(pair.check_in.at)}–{_hm(pair.check_out.at)}"
                    f" on {pair.day}: {outside // timedelta(minutes=1)} min outside the sessions"
                    " (registration, breaks) not counted"
                )
            continue
        when = format_local(pair.check_in.at)
        session = _assumed_session(pair.check_in.at, day_sessions)
        if missing_checkout == "session_end_with_confirmation" and session is not None:
            flags.add(CreditFlag.CHECKOUT_ASSUMED)
            notes.append(
                f"check-in {when} on {pair.day} has no check-out: the end of session"
                f" {session.id} ({format_local(session.end)}) is assumed, to be confirmed"
            )
            pieces.extend(_pieces(pair, day_sessions, session.end))
        else:
            flags.add(CreditFlag.MISSING_CHECKOUT)
            notes.append(
                f"check-in {when} on {pair.day} has no check-out: not credited until the"
                " organizer records one"
            )
    merged, overlapped = _union(pieces)
    if overlapped:
        flags.add(CreditFlag.CONFLICT)
        notes.append("overlapping stays merged: every minute counted once")
    if not merged and any(p.complete for p in pairs):
        flags.add(CreditFlag.NO_SESSION_TIME)
        notes.append("present only outside the scheduled sessions")
    return Clipped(tuple(merged), frozenset(flags), tuple(notes))
