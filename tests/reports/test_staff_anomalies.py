"""The desks' voids and disputes on the Anomalies list: open until a correction names them."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.credits.corrections import Correction, CorrectionKind, apply_corrections
from kiosk.core.credits.review import build_review
from kiosk.core.rules import load_profile
from kiosk.reports.anomalies import AnomalyItem, AnomalyKind, anomalies
from kiosk.reports.corrections_upload import correction_entries
from kiosk.reports.organizer_data import convert
from kiosk.reports.pulled import PulledAttendee, PulledEvent
from kiosk.reports.staff_review import About, staff_notes
from tests.support.roster import DAY1, at, make_project, make_roster

PROJECT = make_project()
ROSTER = [
    PulledAttendee(a.id, a.document.number, a.name, a.unit, "", "", "participant")
    for a in make_roster(2)
]
NOW = at(DAY1, 18)


def _event(uuid: str, ref: str, when: datetime, direction: str = "in", **staff: str) -> PulledEvent:
    return PulledEvent(uuid, ref, direction, "qr", "A", when.isoformat(), (), False, **staff)


EVENTS = [
    _event("u1", "A1", at(DAY1, 8, 20)),
    _event("u2", "A1", at(DAY1, 12, 5), "out"),
    _event(
        "u3",
        "A1",
        at(DAY1, 12, 6),
        kind="void",
        staff_id="S1",
        refers_to="u2",
        note="tapped by mistake",
    ),
    _event("u4", "A2", at(DAY1, 8, 25)),
    _event(
        "u5",
        "A2",
        at(DAY1, 12, 10),
        kind="dispute",
        staff_id="S2",
        refers_to="u4",
        note="我八点就到了",
    ),
]


def _review(corrections: list[Correction]) -> list[AnomalyItem]:
    pulled = convert(PROJECT, ROSTER, iter(EVENTS), [], pulled_at=NOW)
    names = {a.ref: (a.name, a.id_number) for a in ROSTER}
    notes = staff_notes(EVENTS, person=lambda ref: names.get(ref, ("", "")), staff_names={},
                        desk_keys=dict)  # fmt: skip
    records, people, _ = apply_corrections(pulled.records, pulled.people, corrections)
    table = build_review(PROJECT, load_profile(PROJECT.profile), records, people=people,
                         corrections=corrections, now=NOW)  # fmt: skip
    return list(anomalies(table, notes))


def test_a_void_and_a_dispute_are_open_notices_with_their_fixes() -> None:
    items = {a.kind: a for a in _review([]) if a.staff_record}
    void, dispute = items[AnomalyKind.VOID], items[AnomalyKind.DISPUTE]
    # The void undid a check-out: restoring it is a check-out at the voided record's time.
    assert (void.id_number, void.staff_record, void.note) == (
        ROSTER[0].id_number,
        "u3",
        "tapped by mistake",
    )
    assert void.fixes == (CorrectionKind.ADD_CHECKOUT,) and void.suggested == at(DAY1, 12, 5)
    assert not void.blocking and not void.resolved
    assert (dispute.id_number, dispute.note, dispute.about) == (
        ROSTER[1].id_number,
        "我八点就到了",
        About("no_receipt"),
    )
    assert dispute.fixes[0] is CorrectionKind.ADD_CHECKOUT and len(dispute.fixes) == 3
    assert not dispute.blocking


def test_a_correction_naming_the_void_settles_it_and_is_listed_as_that_void() -> None:
    restore = Correction(
        CorrectionKind.ADD_CHECKOUT, by="李老师", at=NOW, reason="签退有效，误撤销",
        id_number=ROSTER[0].id_number, moment=at(DAY1, 12, 5), record_id="c1", resolves="u3",
    )  # fmt: skip
    items = _review([restore])
    open_kinds = [a.kind for a in items if not a.resolved]
    assert AnomalyKind.VOID not in open_kinds and AnomalyKind.DISPUTE in open_kinds
    [done] = [a for a in items if a.resolved]
    assert (done.kind, done.staff_record, done.by, done.blocking) == (
        AnomalyKind.VOID,
        "u3",
        "李老师",
        False,
    )
    # The platform's copy names the void it settles; a correction settling nothing keeps its id.
    [entry] = correction_entries([{"correction": restore.to_json(), "before": {}, "after": {}}], {})
    assert entry["after"] == {"resolves": "u3"}
    plain = Correction(CorrectionKind.ADD_CHECKOUT, by="李老师", at=NOW, reason="忘记签退",
                       id_number=ROSTER[0].id_number, moment=at(DAY1, 12, 5))  # fmt: skip
    assert "resolves" not in plain.to_json()
