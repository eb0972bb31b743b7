"""The organizer's review table, corrections with their audit, and the export rows."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from kiosk.core.credits import (
    Assessment,
    CreditFlag,
    Person,
    records_from_events,
)
from kiosk.core.credits.corrections import (
    Correction,
    CorrectionError,
    CorrectionKind,
    apply_corrections,
)
from kiosk.core.credits.exports import (
    EXPORT_COLUMNS,
    execution_report_rows,
    export_rows,
    submission_lines,
)
from kiosk.core.credits.labels import FLAG_LABELS_ZH
from kiosk.core.credits.review import NOTICES, arrivals, build_review
from kiosk.core.ids import DocumentType, IdentityDocument
from kiosk.core.model import Attendee, CheckInEvent, Flag, Method
from kiosk.core.rules import load_profile
from tests.support.credits import (
    ALICE,
    BOB,
    CAROL,
    D1,
    IN,
    OUT,
    SPEAKER,
    at,
    idn,
    people,
    project,
    rec,
    stay,
    variant,
)

IM = load_profile("inner-mongolia-2025-draft")
PROJECT = project()
NOW = at(date(2026, 12, 3), 10)
WALK_IN = idn(77)


def _records() -> list:  # type: ignore[type-arg]
    return [
        *stay(ALICE, D1, (8, 20), (17, 5)),
        rec(BOB, IN, at(D1, 8, 29), desk="A", record_id="b1"),
        rec(BOB, IN, at(D1, 8, 31), desk="B", record_id="b2"),
        rec(BOB, OUT, at(D1, 12, 1), desk="A", record_id="b3"),
        rec(CAROL, IN, at(D1, 8, 40), record_id="c1"),  # never checks out
        *stay(SPEAKER, D1, (8, 15), (12, 5)),
        rec(WALK_IN, IN, at(D1, 13, 55), record_id="w1"),
        rec(WALK_IN, OUT, at(D1, 17), record_id="w2"),
    ]


def _people() -> dict[str, Person]:
    roster = people(ALICE, BOB, CAROL, SPEAKER, idn(50))
    roster[WALK_IN] = Person(WALK_IN, "赵敏", provisional=True)
    return roster


def test_review_rows_anomalies_blockers_and_absentees() -> None:
    table = build_review(PROJECT, IM, _records(), people=_people(), now=NOW)
    assert [r.person.id_number for r in table.rows] == sorted([ALICE, BOB, CAROL, SPEAKER, WALK_IN])
    assert [p.id_number for p in table.absent] == [idn(50)]
    kinds = {(a.id_number, a.kind) for a in table.anomalies()}
    assert {
        (BOB, CreditFlag.CONFLICT),
        (CAROL, CreditFlag.MISSING_CHECKOUT),
        (WALK_IN, CreditFlag.PROVISIONAL),
    } <= kinds
    anomalies = table.anomalies()
    assert all(a.blocking for a in anomalies[: len(table.blockers())])
    assert "missing_checkout: 李娜 (" + CAROL + ")" in table.blockers()
    assert table.deadline is not None and table.deadline.days_left == 5
    by_id = {s.session.id: s for s in table.sessions}
    assert (by_id["24-am"].attendees, by_id["24-pm"].attendees) == (3, 2)
    assert by_id["24-am"].hours == Decimal("10.5")  # Alice, Bob once (not twice), the speaker


def test_imported_assessments_and_corrections_clear_the_blockers() -> None:
    results = {n: Assessment(n, True) for n in (ALICE, BOB, CAROL, WALK_IN)}
    fix = Correction(
        CorrectionKind.ADD_CHECKOUT,
        by="organizer:wang",
        at=NOW,
        reason="left at 12:00, confirmed by the session chair",
        id_number=CAROL,
        moment=at(D1, 12),
    )
    records, persons, audit = apply_corrections(_records(), _people(), [fix])
    table = build_review(PROJECT, IM, records, people=persons, assessments=results, now=NOW)
    assert table.blockers() == []
    carol = next(r for r in table.rows if r.person.id_number == CAROL)
    assert (carol.hours, carol.credits) == (Decimal("3.33"), Decimal("1.1"))
    (entry,) = audit
    assert entry.before == {} and entry.after["direction"] == "out"
    assert entry.after["desk"] == "organizer" and entry.after["at"] == "2026-11-24T12:00:00+08:00"
    assert json.loads(json.dumps(entry.to_json()))["correction"]["reason"].startswith("left at")
    assert CAROL not in entry.describe() and CAROL[-4:] in entry.describe()


def test_void_and_merge_provisional() -> None:
    roster = _people()
    roster[idn(78)] = Person(idn(78), "赵敏", unit="呼和浩特市第一医院")
    corrections = [
        Correction(CorrectionKind.VOID_RECORD, "org", NOW, "test scan by staff", record_id="c1"),
        Correction(
            CorrectionKind.MERGE_PROVISIONAL, "org", NOW, "same person, roster ID typo",
            id_number=WALK_IN, into=idn(78),
        ),
    ]  # fmt: skip
    records, persons, audit = apply_corrections(_records(), roster, corrections)
    assert not any(r.record_id == "c1" for r in records)
    assert WALK_IN not in persons
    assert sum(r.id_number == idn(78) for r in records) == 2
    assert audit[0].before["record_id"] == "c1" and audit[0].after == {}
    assert audit[1].before["id_number"] == WALK_IN and audit[1].after["id_number"] == idn(78)
    table = build_review(PROJECT, IM, records, people=persons)
    merged = next(r for r in table.rows if r.person.id_number == idn(78))
    assert merged.person.unit == "呼和浩特市第一医院" and merged.hours == Decimal("3.0")
    assert CreditFlag.PROVISIONAL not in merged.flags


@pytest.mark.parametrize(
    ("correction", "message"),
    [
        (Correction(CorrectionKind.VOID_RECORD, "org", NOW, " ", record_id="c1"), "reason"),
        (Correction(CorrectionKind.VOID_RECORD, "", NOW, "x", record_id="c1"), "who"),
        (Correction(CorrectionKind.VOID_RECORD, "org", NOW, "x", record_id="nope"), "no record"),
        (Correction(CorrectionKind.ADD_CHECKIN, "org", NOW, "x", id_number=CAROL), "time"),
        (
            Correction(
                CorrectionKind.ADD_CHECKIN, "org", NOW, "x", id_number=idn(99), moment=at(D1, 9)
            ),
            "not an attendee",
        ),
        (
            Correction(
                CorrectionKind.MERGE_PROVISIONAL, "org", NOW, "x", id_number=ALICE, into=BOB
            ),
            "only a provisional",
        ),
        (
            Correction(
                CorrectionKind.ADD_CHECKOUT,
                "org",
                NOW,
                "x",
                id_number=CAROL,
                moment=at(D1, 12),
                record_id="b1",
            ),
            "already exists",
        ),
    ],
)
def test_corrections_that_cannot_apply(correction: Correction, message: str) -> None:
    with pytest.raises(CorrectionError, match=message):
        apply_corrections(_records(), _people(), [correction])


def test_desk_flags_from_stored_events_reach_the_review() -> None:
    doc = IdentityDocument(DocumentType.RESIDENT_ID, ALICE)
    attendee = Attendee("att-1", doc, "张伟")
    events = [
        CheckInEvent("u1", PROJECT.number, "att-1", IN, Method.FACE, "dev-a", 1, at(D1, 8, 30),
                     480, flags=frozenset({Flag.EXPIRED_DOCUMENT})),
        CheckInEvent("u2", PROJECT.number, "att-1", OUT, Method.FACE, "dev-a", 2, at(D1, 12), 480),
    ]  # fmt: skip
    records, persons = records_from_events(events, {"att-1": attendee}, desk_names={"dev-a": "A"})
    assert [r.desk for r in records] == ["A", "A"]
    assert persons[ALICE].document_expired
    table = build_review(PROJECT, IM, records, people=persons)
    assert CreditFlag.EXPIRED_DOCUMENT in table.rows[0].flags
    with pytest.raises(KeyError, match="unknown attendee"):
        records_from_events([events[0]], {})


def test_arrivals_are_bucketed_and_merged_duplicates_count_once() -> None:
    buckets = arrivals(PROJECT, _records(), bucket_minutes=15)
    counts = {b.start.strftime("%H:%M"): b.count for b in buckets}
    assert counts["08:15"] == 3  # Alice 08:20, Bob 08:29 (B's 08:31 is the same arrival), speaker
    assert counts["08:30"] == 1 and counts["13:45"] == 1
    assert counts["10:00"] == 0  # empty buckets between the first and last are filled
    assert sum(counts.values()) == 5
    with pytest.raises(ValueError, match="bucket_minutes"):
        arrivals(PROJECT, _records(), bucket_minutes=0)


def test_export_rows_one_per_attendee_and_session() -> None:
    table = build_review(
        PROJECT, IM, _records(), people=_people(), assessments={ALICE: Assessment(ALICE, True)}
    )
    rows = export_rows(table)
    assert all(len(r) == len(EXPORT_COLUMNS) for r in rows)
    alice = [r for r in rows if r[0] == ALICE]
    # One stay 08:20–17:05: each session's row shows that session's own times, not the stay's.
    assert alice == [
        (ALICE, "张伟", "学员", "内蒙古自治区人民医院", "重症医学科", "护理", "24-am",
         at(D1, 8, 20), at(D1, 12), "人脸识别", Decimal("3.50"), "合格", Decimal("2.1"), "暂定",
         ""),
        (ALICE, "张伟", "学员", "内蒙古自治区人民医院", "重症医学科", "护理", "24-pm",
         at(D1, 14), at(D1, 17, 5), "人脸识别", Decimal("3.00"), "合格", None, None, ""),
    ]  # fmt: skip
    carol = [r for r in rows if r[0] == CAROL]
    assert carol == [(CAROL, "李娜", "学员", "内蒙古自治区人民医院", "重症医学科", "护理", "", None,
                      None, "", Decimal("0.00"), "", Decimal("0.0"), "", "缺签退")]  # fmt: skip
    speaker = [r[2] for r in rows if r[0] == SPEAKER]
    assert speaker == ["主讲人"]  # teaches 24-am
    assert sum(r[12] for r in rows if r[12] is not None) == table.total_credits


def test_export_in_minutes_when_the_platform_counts_minutes() -> None:
    profile = variant(
        "inner-mongolia-2025-draft",
        platform={"time_unit": {"value": "minutes", "source": "kiosk policy: the template"}},
    )
    table = build_review(PROJECT, profile, _records(), people=_people())
    alice = [r for r in export_rows(table) if r[0] == ALICE]
    assert [r[10] for r in alice] == [210, 180]


def test_execution_report_rows_are_json() -> None:
    table = build_review(
        PROJECT, IM, _records(), people=_people(),
        assessments={ALICE: Assessment(ALICE, True, Decimal(88), Decimal(60))},
    )  # fmt: skip
    rows = json.loads(json.dumps(execution_report_rows(table), ensure_ascii=False))
    alice = next(r for r in rows if r["id_number"] == ALICE)
    assert alice["credits"] == 2.1 and alice["minutes"] == 390 and alice["credit_year"] == 2026
    assert alice["assessment"] == {"passed": True, "score": "88", "pass_mark": "60"}
    assert alice["unit"] == "内蒙古自治区人民医院" and alice["needs_confirmation"] is False
    walk_in = next(r for r in rows if r["id_number"] == WALK_IN)
    assert walk_in["provisional"] is True


def test_submission_lines_fit_the_platforms_execution_report() -> None:
    from sync.protocol import ExecutionReport

    results = {
        ALICE: Assessment(ALICE, True, Decimal(88), Decimal(60)),
        BOB: Assessment(BOB, False),
    }
    table = build_review(PROJECT, IM, _records(), people=_people(), assessments=results)
    refs = {n: f"ref-{n[-4:]}" for n in _people()}
    lines = submission_lines(table, refs)
    report = ExecutionReport.model_validate(
        {"project": PROJECT.number, "profile": IM.name, "lines": lines}
    )
    by_ref = {line.attendee_id: line for line in report.lines}
    alice = by_ref[refs[ALICE]]
    assert (alice.hours, alice.credits, alice.assessment, alice.score) == (
        Decimal("6.5"), Decimal("2.1"), "passed", Decimal(88),
    )  # fmt: skip
    assert by_ref[refs[BOB]].assessment == "failed" and by_ref[refs[BOB]].credits == 0
    assert by_ref[refs[CAROL]].notes == "missing_checkout"
    assert by_ref[refs[SPEAKER]].role == "speaker"
    assert by_ref[refs[SPEAKER]].assessment == "not_required"  # taught only: no participant part
    with pytest.raises(KeyError):
        submission_lines(table, {})


def test_a_correction_is_marked_not_flagged_as_a_new_anomaly() -> None:
    # Inner Mongolia provincial projects accept only QR and face (第十六条); the organizer's
    # manual check-out is the fix, not a desk's method: it must not turn into 考勤方式不符.
    fix = Correction(
        CorrectionKind.ADD_CHECKOUT, by="王老师", at=NOW, reason="left at the break",
        id_number=CAROL, moment=at(D1, 12),
    )  # fmt: skip
    before = build_review(PROJECT, IM, _records(), people=_people(), now=NOW)
    assert CreditFlag.MISSING_CHECKOUT in next(
        r.flags for r in before.rows if r.person.id_number == CAROL
    )
    records, persons, _ = apply_corrections(_records(), _people(), [fix])
    passed = {n: Assessment(n, True) for n in persons}
    table = build_review(
        PROJECT, IM, records, people=persons, assessments=passed, now=NOW, corrections=[fix]
    )
    carol = next(r for r in table.rows if r.person.id_number == CAROL)
    assert CreditFlag.METHOD_NOT_ACCEPTED not in carol.flags
    assert CreditFlag.CORRECTED in carol.flags and CreditFlag.MISSING_CHECKOUT not in carol.flags
    assert FLAG_LABELS_ZH[CreditFlag.CORRECTED] == "经组织者更正（人工）"
    assert "corrected by the organizer (manual)" in "; ".join(carol.explanation)
    # Resolved: it blocks nothing and is not a new anomaly, but every export shows it.
    assert CreditFlag.CORRECTED not in NOTICES
    assert not any(a.id_number == CAROL for a in table.anomalies())
    assert not any(CAROL in b for b in table.blockers())
    row = next(r for r in export_rows(table) if r[0] == CAROL)
    assert row[EXPORT_COLUMNS.index("标记")] == "经组织者更正（人工）"
    assert row[EXPORT_COLUMNS.index("签退时间")] == at(D1, 12)
    assert table.corrections == (fix,)
    # A desk's own manual record is still a method the province does not accept.
    desk_manual = [*_records(), rec(CAROL, OUT, at(D1, 12), method=Method.MANUAL)]
    again = build_review(PROJECT, IM, desk_manual, people=_people(), now=NOW)
    carol = next(r for r in again.rows if r.person.id_number == CAROL)
    assert CreditFlag.METHOD_NOT_ACCEPTED in carol.flags and CreditFlag.CORRECTED not in carol.flags


def test_void_and_merge_mark_the_person_corrected() -> None:
    roster = _people()
    roster[idn(78)] = Person(idn(78), "赵敏")
    corrections = [
        Correction(CorrectionKind.VOID_RECORD, "org", NOW, "test scan", record_id="b2"),
        Correction(
            CorrectionKind.MERGE_PROVISIONAL, "org", NOW, "typo", id_number=WALK_IN, into=idn(78)
        ),
    ]
    records, persons, _ = apply_corrections(_records(), roster, corrections)
    table = build_review(PROJECT, IM, records, people=persons)
    flags = {r.person.id_number: r.flags for r in table.rows}
    assert CreditFlag.CORRECTED in flags[BOB] and CreditFlag.CORRECTED in flags[idn(78)]
    assert CreditFlag.CORRECTED not in flags[ALICE]
