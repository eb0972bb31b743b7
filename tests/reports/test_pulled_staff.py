"""The organizer's pulled copy keeps the desks' staff records: voids undo, staff records never count."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.reports.organizer_data import convert
from kiosk.reports.pulled import PulledAttendee, PulledEvent, PulledStore
from kiosk.reports.staff_review import About, about_text, staff_notes
from tests.support.roster import DAY1, at, make_project, make_roster

ROSTER = [
    PulledAttendee(a.id, a.document.number, a.name, a.unit, "", "", "participant")
    for a in make_roster(2)
]

# The copy's events table as it was before staff records (main before #15's records).
_OLD_EVENTS = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    uuid TEXT PRIMARY KEY, attendee_id TEXT NOT NULL, direction TEXT NOT NULL,
    method TEXT NOT NULL, desk_name TEXT NOT NULL, scanned_at TEXT NOT NULL,
    flags TEXT NOT NULL, conflict INTEGER NOT NULL
);
"""


def _event(uuid: str, ref: str, hour: int, **staff: str) -> PulledEvent:
    return PulledEvent(
        uuid, ref, "in", staff.pop("method", "qr"), "A", at(DAY1, hour).isoformat(), (), False,
        **staff,
    )  # fmt: skip


EVENTS = [
    _event("u1", "A1", 8),
    _event("u2", "A2", 8),  # tapped by a colleague, then voided
    _event("u3", "A2", 9, kind="void", staff_id="S1", refers_to="u2", note="tapped for a friend"),
    _event("u4", "A1", 12, kind="dispute", staff_id="S2", refers_to="u1", note="我九点就到了"),
    _event("u5", "A2", 10, method="manual", staff_id="S1", note="card unreadable"),
    _event("u6", "A1", 14),
]


def test_voided_records_and_staff_records_are_not_credited() -> None:
    pulled = convert(make_project(), ROSTER, iter(EVENTS), [], pulled_at=None)
    assert [r.record_id for r in pulled.records] == ["u1", "u5", "u6"]


def test_the_copy_keeps_staff_fields_and_lists_the_staff_records(tmp_path: Path) -> None:
    path = tmp_path / "pulled.sqlite3"
    with PulledStore(path, source="s"):
        pass
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, '', 0, ?, ?, ?, ?, ?)",
            [(*e[:6], *e[8:]) for e in EVENTS],
        )
    with PulledStore(path, source="s") as store:
        assert list(store.events()) == EVENTS
        # The staff records and what a void or dispute names; not the plain check-ins beside.
        assert [e.uuid for e in store.staff_events()] == ["u1", "u2", "u3", "u4", "u5"]
        notes = staff_notes(
            store.staff_events(),
            person=lambda ref: ("王芳", ROSTER[1].id_number) if ref == "A2" else ("", ""),
            staff_names={"S1": "李娜"},
            desk_keys=dict,
        )
    assert [(n.kind, n.staff, n.anomaly) for n in notes] == [
        ("void", "S1 李娜", False),
        ("manual", "S1 李娜", False),
        ("dispute", "S2", True),
    ]
    void = notes[0].about
    assert void is not None and (void.code, void.direction) == ("voided", "in")
    assert about_text(void).startswith("in ") and ROSTER[1].id_number not in notes[0].who
    assert (
        notes[2].about == About("no_receipt") and about_text(notes[2].about) == "no receipt shown"
    )


def test_a_copy_from_before_staff_records_is_pulled_again(tmp_path: Path) -> None:
    path = tmp_path / "pulled.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(_OLD_EVENTS)
        db.execute("INSERT INTO events VALUES ('u9', 'A1', 'in', 'qr', 'A', 'x', '', 0)")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("source", "s"), ("cursor", "42"), ("pulled_at", at(DAY1, 7).isoformat())],
        )
    with PulledStore(path, source="s") as store:
        # A void stored without its kind would read as a check-in: nothing of it is trusted.
        assert (store.cursor, store.pulled_at, list(store.events())) == ("0", None, [])
    with sqlite3.connect(path) as db:
        assert "kind" in {r[1] for r in db.execute("PRAGMA table_info(events)")}
