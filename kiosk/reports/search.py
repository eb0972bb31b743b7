"""Find attendees by name, by pinyin initials (张伟: zw) or by the end of the ID number.

The initials come from pypinyin (imported lazily: it takes seconds to load), one lookup per
distinct character with every reading of a polyphonic one (单: d, s, c), so 5,000 names cost a
few hundred lookups. Built on the workspace's worker thread, used on the GUI thread: immutable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """One searchable person."""

    id_number: str
    name: str
    initials: tuple[frozenset[str], ...]  # per character of the name, its possible initials


def _initials_of(chars: Iterable[str]) -> dict[str, frozenset[str]]:
    from pypinyin import Style, pinyin

    out = {}
    for ch in chars:
        if ch.isascii():
            out[ch] = frozenset({ch.lower()})
            continue
        readings = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
        letters = {r[0].lower() for r in (readings[0] if readings else []) if r}
        out[ch] = frozenset(letters)
    return out


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """Every attendee's name, initials and ID number."""

    entries: dict[str, Entry]  # by ID number

    @classmethod
    def build(cls, people: Iterable[tuple[str, str]]) -> SearchIndex:
        """An index of (ID number, name) pairs."""
        pairs = list(people)
        table = _initials_of({ch for _, name in pairs for ch in name if not ch.isspace()})
        entries = {
            number: Entry(number, name, tuple(table[ch] for ch in name if ch in table))
            for number, name in pairs
        }
        return cls(entries)

    def matches(self, id_number: str, query: str) -> bool:
        """The person matches `query`: part of the name, the name's initials, or the ID's end."""
        q = query.strip()
        if not q:
            return True
        entry = self.entries.get(id_number)
        if len(q) >= 3 and id_number.upper().endswith(q.upper()):
            return True
        if entry is None:
            return False
        return q in entry.name or _initials_match(q.lower(), entry.initials)


def _initials_match(letters: str, initials: tuple[frozenset[str], ...]) -> bool:
    """'zw' matches 张伟: each letter is a possible initial of the name's character there."""
    if not (letters.isascii() and letters.isalpha()) or len(letters) > len(initials):
        return False
    return all(ch in initials[i] for i, ch in enumerate(letters))
