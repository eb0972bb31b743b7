"""Finding a person on the roster as staff type: name, pinyin initials, ID tail, unit, reference.

`RosterIndex` is built once per roster revision (names are turned into pinyin then, not at each
keystroke) and answers a query with the total number of matches and only the first `limit` rows,
best first: exact reference, ID number tail, name, pinyin initials or spelling, then unit.
Initials consider every reading of a character (单 is d/s/c, 曾 is z/c), so surnames match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.core.model import Attendee

_LETTERS = re.compile(r"^[a-z]+$")
_ID_TAIL = re.compile(r"^\d{3}[\dx]$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One person as the index keeps them: what is shown and what is matched."""

    attendee_id: str
    name: str
    unit: str
    masked_id: str
    id_tail: str  # the last four characters of the document number, lower case
    initials: tuple[frozenset[str], ...]  # per character, every first letter it may have
    spelling: str  # the name in pinyin without tones or spaces, lower case
    provisional: bool


@functools.lru_cache(maxsize=20_000)
def _readings(ch: str) -> tuple[frozenset[str], str]:
    """(every first letter, the first reading) of one character; other characters as they are."""
    # pypinyin loads its dictionaries as it is imported (about a second): on staff's first
    # search (the desk thread), not while the desk starts.
    from pypinyin import Style, lazy_pinyin, pinyin

    initials = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True)[0]
    spelled = lazy_pinyin(ch)[0]
    return frozenset(i.lower()[:1] for i in initials if i), spelled.lower()


def entry_of(person: Attendee) -> Entry:
    """The index entry of one roster entry (pinyin per character, each character worked out once).

    Character by character rather than by phrase: a name is no phrase, and every reading of a
    surname's character is kept for the initials (单 d/s/c), so nothing a person types is missed.
    """
    name = person.name.strip()
    readings = [_readings(ch) for ch in name if not ch.isspace()]
    return Entry(
        attendee_id=person.id, name=name, unit=person.unit, masked_id=person.document.masked(),
        id_tail=person.document.number[-4:].lower(), initials=tuple(r[0] for r in readings),
        spelling="".join(r[1] for r in readings), provisional=person.provisional,
    )  # fmt: skip


def _initials_match(initials: tuple[frozenset[str], ...], query: str) -> bool:
    if len(query) > len(initials):
        return False
    return all(ch in letters for ch, letters in zip(query, initials, strict=False))


@dataclass(frozen=True, slots=True)
class Found:
    """The first rows of a search and how many matched in all."""

    entries: tuple[Entry, ...]
    total: int


class RosterIndex:
    """Every person of a roster, searchable; immutable once built (share it between threads)."""

    def __init__(self, entries: Iterable[Entry], *, revision: int = 0) -> None:
        self.entries = tuple(sorted(entries, key=lambda e: (e.name, e.attendee_id)))
        self.revision = revision
        self.by_id = {e.attendee_id: e for e in self.entries}

    @classmethod
    def build(cls, people: Iterable[Attendee], *, revision: int = 0) -> RosterIndex:
        """The index of these people."""
        return cls((entry_of(p) for p in people), revision=revision)

    def _rank(self, e: Entry, q: str, folded: str, *, letters: bool, tail: bool) -> int | None:  # noqa: PLR0911
        """0 best … 5; None: no match (cheapest checks first: this runs per person per key)."""
        if e.attendee_id.lower() == folded:
            return 0
        if tail and e.id_tail == folded:
            return 1
        if q in e.name:
            return 2 if e.name.startswith(q) else 3
        if letters and (e.spelling.startswith(folded) or _initials_match(e.initials, folded)):
            return 3
        if q in e.unit:
            return 4
        if len(folded) >= 2 and e.attendee_id.lower().startswith(folded):
            return 5
        return None

    def search(self, query: str, *, limit: int = 50) -> Found:
        """The best `limit` matches of `query` and the number of all matches."""
        q = query.strip()
        folded = q.lower().replace(" ", "")
        if not folded:
            return Found((), 0)
        letters = bool(_LETTERS.match(folded))
        tail = bool(_ID_TAIL.match(folded))
        ranked = []
        for i, e in enumerate(self.entries):
            rank = self._rank(e, q, folded, letters=letters, tail=tail)
            if rank is not None:
                ranked.append((rank, i))
        ranked.sort()
        return Found(tuple(self.entries[i] for _, i in ranked[: max(limit, 0)]), len(ranked))
