"""Staff mode on the desk service over a real store: sign-in, refusals, records, lists, receipts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.codes.phone import phone_code_at
from kiosk.core.codes.receipt import parse_receipt, receipt_signature_valid
from kiosk.core.model import Direction, Flag, Method, ProjectLevel, RecordKind
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from kiosk.services.desk import DeskService
from kiosk.services.pins import PinGuard
from kiosk.services.screen import PinAnswer, ScreenEvent, StaffState
from kiosk.services.staff_records import WalkInForm, check_document
from kiosk.services.staff_search import SearchResult
from sync import chain, signing
from sync.store import Store
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster
from tests.support.staff import PINS, give_staff

NUMBER = "2026-15-01-001"
ROSTER = make_roster(12)


class Heard:
    """Every event published, in order."""

    def __init__(self) -> None:
        self.events: list[ScreenEvent] = []
        self.lock = threading.Lock()

    def __call__(self, event: ScreenEvent) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        with self.lock:
            return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "kiosk.sqlite3")
    s.roster.save_project(make_project())
    s.roster.save_roster(NUMBER, ROSTER)
    s.keys.save_attendee_secrets(NUMBER, {a.id: bytes([i + 1]) * 32 for i, a in enumerate(ROSTER)})
    yield s
    s.close()


class Desk:
    """A desk service over the store, its clock and what it published."""

    def __init__(self, store: Store, *, level: ProjectLevel = ProjectLevel.PROVINCIAL) -> None:
        self.clock = FakeClock(at(DAY1, 8, 10))
        self.store = store
        project = replace(make_project(), level=level)
        self.service = DeskService(
            CheckInService(
                store=store,
                project=project,
                device_id="dv-a",
                desk_name="A",
                clock=self.clock,
                denied_key=b"k" * 32,
            )
        )
        self.heard = Heard()
        self.service.subscribe(self.heard)

    def sign_in(self, staff_id: str) -> StaffState:
        self.service.sign_in(PINS[staff_id]).result(10)
        return self.heard.of(StaffState)[-1]


@pytest.fixture
def desk(store: Store) -> Iterator[Desk]:
    give_staff(store, NUMBER)
    d = Desk(store)
    yield d
    d.service.stop()


def test_a_named_member_signs_in_with_their_own_pin_wrong_pins_wait_never_lock(desk: Desk) -> None:
    assert desk.sign_in("S2") == StaffState(True, "S2", "李娜", "signed_in", "lead")
    desk.service.sign_out(reason="idle").result(10)
    assert desk.heard.of(StaffState)[-1] == StaffState(False, reason="idle")
    for _ in range(4):
        desk.service.sign_in("999999").result(10)
    waits = [a.wait_s for a in desk.heard.of(PinAnswer) if not a.ok]
    assert waits == [0, 0, 0, 2]  # three free tries, then a growing delay
    desk.service.sign_in(PINS["S1"]).result(10)  # still waiting: refused without a check
    assert desk.heard.of(PinAnswer)[-1].wait_s > 0
    desk.clock.advance(seconds=3)
    assert desk.sign_in("S1").staff_id == "S1"  # no lockout


def test_nobody_signed_in_or_only_the_shared_pin_refuses_every_record(store: Store) -> None:
    d = Desk(store)  # no named staff in this project
    try:
        answers = [
            d.service.manual("A1", reason="card unreadable").result(10),
            d.service.void_last("A1", reason="x").result(10),
            d.service.dispute("A1", words="I came at 8").result(10),
            d.service.register_walk_in(
                WalkInForm("resident_id", ROSTER[0].document.number, "张三")
            ).result(10),
        ]
        assert {(a.status, a.reason) for a in answers} == {(Status.REFUSED, "not_signed_in")}
        found = d.service.search("zw").result(10)
        assert (found.rows, found.total, found.refused) == ((), 0, "not_signed_in")
        PinGuard(store, "staff").set_pin("284619")
        d.service.sign_in("284619").result(10)
        assert d.heard.of(StaffState)[-1].reason == "shared_pin"
        refused = d.service.manual("A1", reason="card unreadable").result(10)
        assert (refused.status, refused.reason) == (Status.REFUSED, "named_staff_required")
        assert d.service.search("zw").result(10).total == 2  # reading is fine with the shared PIN
        assert store.records.events() == []
    finally:
        d.service.stop()


def test_a_manual_record_carries_the_member_and_reason_signed_and_is_flagged_when_excluded(
    desk: Desk,
) -> None:
    desk.sign_in("S1")
    offers = desk.service.manual_fallbacks("A1").result(10)
    # Inner Mongolia, provincial: QR or face only. Face (not enrolled) and the phone code first.
    assert [(o.kind, o.ready, o.flagged) for o in offers.offers] == [
        ("face", False, False), ("phone_code", True, False), ("manual", True, True),
    ]  # fmt: skip
    out = desk.service.manual("A1", direction=Direction.IN, reason="身份证读不出").result(10)
    assert out.status is Status.ACCEPTED and out.action == "manual"
    assert out.event is not None and out.event.flags == {Flag.METHOD_NOT_ACCEPTED}
    [row] = desk.store.records.chain_rows()
    assert (row["staff_id"], row["note"], row["method"]) == ("S1", "身份证读不出", "manual")
    assert '"staff_id":"S1"' in chain.canonical(row).decode()
    assert chain.verify([row], desk.store.device_verify_key()) == []
    again = desk.service.manual("A1", direction=Direction.IN, reason="again").result(10)
    assert again.status is Status.ALREADY  # the desk's rules still apply
    assert desk.service.manual("A1", reason="  ").result(10).reason == "reason_required"
    assert desk.service.manual("nobody", reason="x").result(10).reason == "unknown_attendee"


def test_manual_is_not_flagged_where_the_project_accepts_it(store: Store) -> None:
    give_staff(store, NUMBER)
    d = Desk(store, level=ProjectLevel.MUNICIPAL)  # the draft sets no method below provincial
    try:
        d.sign_in("S3")
        assert [o.kind for o in d.service.manual_fallbacks("A2").result(10).offers] == ["manual"]
        out = d.service.manual("A2", reason="no card").result(10)
        assert out.status is Status.ACCEPTED and out.event is not None and not out.event.flags
    finally:
        d.service.stop()


def test_the_phone_code_checks_in_once_as_qr_with_the_member(desk: Desk) -> None:
    desk.sign_in("S1")
    secret = desk.store.keys.attendee_secret(NUMBER, "A3")
    assert secret is not None
    code = phone_code_at(project=NUMBER, attendee_id="A3", secret=secret, at=desk.clock())
    wrong = "000000" if code != "000000" else "111111"
    assert desk.service.phone_code("A3", wrong).result(10).reason == "wrong_code"
    out = desk.service.phone_code("A3", code).result(10)
    assert out.status is Status.ACCEPTED and out.event is not None
    assert (out.event.method, out.event.staff_id) == (Method.QR, "S1")
    assert not out.event.flags  # QR is accepted here
    assert desk.service.phone_code("A3", code).result(10).reason == "code_used"


def test_a_walk_in_with_a_wrong_check_digit_is_refused_a_good_one_is_provisional(
    desk: Desk,
) -> None:
    desk.sign_in("S1")
    good = "11010519491231002X"
    bad = good[:-1] + "3"
    assert check_document("resident_id", bad).reason == "check_digit"
    assert check_document("resident_id", "1234").reason == "invalid_document"
    assert check_document("resident_id", good).ok
    refused = desk.service.register_walk_in(WalkInForm("resident_id", bad, "张三")).result(10)
    assert (refused.status, refused.reason, refused.action) == (Status.REFUSED, "check_digit",
                                                                "walk_in")  # fmt: skip
    assert desk.store.records.events() == []
    nameless = desk.service.register_walk_in(WalkInForm("resident_id", good, " ")).result(10)
    assert nameless.reason == "name_required"
    on_roster = desk.service.register_walk_in(
        WalkInForm("resident_id", ROSTER[4].document.number, "陈静")
    ).result(10)
    assert on_roster.reason == "on_roster" and on_roster.attendee is not None
    out = desk.service.register_walk_in(
        WalkInForm("resident_id", good.lower(), "张三", "旗人民医院", "急诊科", "护理")
    ).result(10)
    assert out.status is Status.ACCEPTED and out.attendee is not None and out.event is not None
    assert out.attendee.provisional and out.attendee.id.startswith("P-")
    assert Flag.PROVISIONAL_ATTENDEE in out.event.flags and out.event.staff_id == "S1"
    person = desk.store.outbox.walk_in(NUMBER, out.attendee.id)
    assert person is not None and person.document.number == good and person.department == "急诊科"


def test_void_undoes_the_last_own_record_only(desk: Desk) -> None:
    desk.sign_in("S2")
    service = desk.service
    assert service.void_last("A1", reason="wrong").result(10).reason == "nothing_to_void"
    tap = service.submit(Credential.id_card(document=ROSTER[0].document)).result(10)
    assert tap.status is Status.ACCEPTED and tap.event is not None
    desk.clock.advance(minutes=1)
    void = service.void_last("A1", reason="tapped for a colleague").result(10)
    assert void.status is Status.ACCEPTED and void.event is not None
    assert (void.event.kind, void.event.refers_to) == (RecordKind.VOID, tap.event.uuid)
    assert len(desk.store.records.events()) == 2  # nothing deleted
    # The person's own tap now counts afresh, and there is nothing left to void.
    again = service.submit(Credential.id_card(document=ROSTER[0].document)).result(10)
    assert again.status is Status.ACCEPTED
    # Another desk's later record of A2 (pulled): this desk may not void it.
    service.submit(Credential.id_card(document=ROSTER[1].document)).result(10)
    desk.store.outbox.add_remote_events([{
        "uuid": "7d3c0f5e-1111-4222-8333-944455556666", "project": NUMBER, "attendee_id": "A2",
        "direction": "out", "device_id": "dv-b", "desk_name": "B",
        "scanned_at": at(DAY1, 9).isoformat(), "kind": "checkin",
    }])  # fmt: skip
    desk.clock.advance(hours=1)
    theirs = service.void_last("A2", reason="not ours").result(10)
    assert (theirs.status, theirs.reason) == (Status.REFUSED, "not_own_record")
    assert chain.verify(desk.store.records.chain_rows(), desk.store.device_verify_key()) == []


def test_a_check_out_carries_a_signed_receipt_and_a_dispute_refers_to_it(desk: Desk) -> None:
    desk.sign_in("S1")
    document = ROSTER[5].document
    desk.clock.now = at(DAY1, 8, 20)
    assert desk.service.submit(Credential.id_card(document=document)).result(10).receipt is None
    desk.clock.now = at(DAY1, 15, 30)
    out = desk.service.submit(Credential.id_card(document=document)).result(10)
    assert out.event is not None and out.event.direction is Direction.OUT
    receipt = out.receipt
    assert receipt is not None and receipt.text.startswith("CME-RCT1:")
    # 08:30–12:00 and 14:00–15:30, clipped to the sessions (registration and lunch do not count).
    assert [(s.session_id, str(s.hours)) for s in receipt.sessions] == [
        ("d1-am", "3.50"), ("d1-pm", "1.50"),
    ]  # fmt: skip
    assert str(receipt.total_hours) == "5.00" and receipt.check_in == at(DAY1, 8, 20)
    parsed = parse_receipt(receipt.text)
    public = signing.public_bytes(desk.store.device_verify_key())
    assert receipt_signature_valid(parsed, public) and parsed.receipt.record_uuid == out.event.uuid
    # A weak key proves nothing: the identity point "signs" anything with (identity ‖ 0).
    identity = bytes([1]) + bytes(31)
    forged = replace(parsed, signature=identity + bytes(32))
    assert not receipt_signature_valid(forged, identity)

    dispute = desk.service.dispute("A6", words="我下午一直在", receipt=receipt.text).result(10)
    assert dispute.status is Status.ACCEPTED and dispute.event is not None
    assert dispute.event.kind is RecordKind.DISPUTE
    assert (dispute.event.refers_to, dispute.event.receipt) == (out.event.uuid, receipt.text)
    assert desk.service.dispute("A6", words="").result(10).reason == "words_required"
    listed = desk.service.session_list("flagged").result(10)
    assert "A6" in {r.attendee_id for r in listed.rows}


def test_search_by_initials_id_tail_unit_and_reference(desk: Desk) -> None:
    desk.sign_in("S1")

    def ids(query: str) -> list[str]:
        return [r.attendee_id for r in desk.service.search(query).result(10).rows]

    assert ids("zw") == ["A1", "A9"]  # 张伟, then 张伟8
    assert ids("zhangw") == ["A1", "A9"]
    assert ids("wf") == ["A2", "A10"]
    assert ids("王芳") == ["A2", "A10"]
    assert ids(ROSTER[6].document.number[-4:]) == ["A7"]
    assert ids("a12") == ["A12"]
    everyone = desk.service.search("内蒙古", limit=5).result(10)
    assert isinstance(everyone, SearchResult) and everyone.total == 12 and len(everyone.rows) == 5
    assert all("*" in r.masked_id for r in everyone.rows)  # never the full number
    assert all(ROSTER[0].document.number not in repr(r) for r in everyone.rows)


def test_the_session_list_by_filter_with_times(desk: Desk) -> None:
    desk.sign_in("S1")
    s = desk.service
    s.submit(Credential.id_card(document=ROSTER[0].document)).result(10)
    s.submit(Credential.id_card(document=ROSTER[1].document)).result(10)
    desk.clock.advance(hours=2)
    s.submit(Credential.id_card(document=ROSTER[1].document)).result(10)  # auto: out
    counts = {f: s.session_list(f).result(10).total for f in ("not_arrived", "in", "out", "all")}
    assert counts == {"not_arrived": 10, "in": 1, "out": 1, "all": 12}
    [left] = s.session_list("out").result(10).rows
    assert left.attendee_id == "A2" and left.first_in == at(DAY1, 8, 10)
    assert left.last_out == at(DAY1, 10, 10)
    page = s.session_list("not_arrived", limit=4, offset=8).result(10)
    assert (len(page.rows), page.total) == (2, 10)


def test_dead_letters_are_retried_or_dismissed_with_the_member_kept(desk: Desk) -> None:
    desk.sign_in("S3")
    s = desk.service
    tap = s.submit(Credential.id_card(document=ROSTER[2].document)).result(10)
    other = s.submit(Credential.id_card(document=ROSTER[3].document)).result(10)
    assert tap.event is not None and other.event is not None
    desk.store.outbox.apply_answers(
        "event",
        [
            (tap.event.uuid, "rejected", "outside_project_days"),
            (other.event.uuid, "rejected", "retired_device"),
        ],
    )
    letters = s.dead_letters().result(10)
    assert [(d.uuid, d.reason, d.attendee_id) for d in letters.items] == [
        (tap.event.uuid, "outside_project_days", "A3"), (other.event.uuid, "retired_device", "A4"),
    ]  # fmt: skip
    assert s.retry_dead_letter(tap.event.uuid).result(10).status is Status.ACCEPTED
    pending = {e.event.uuid for e in desk.store.outbox.pending_events()}
    assert tap.event.uuid in pending and other.event.uuid not in pending
    gone = s.dismiss_dead_letter(other.event.uuid, reason="desk retired after the day").result(10)
    assert gone.status is Status.ACCEPTED and gone.event is not None
    assert (gone.event.kind, gone.event.refers_to, gone.event.staff_id) == (
        RecordKind.DISMISS, other.event.uuid, "S3")  # fmt: skip
    assert s.dead_letters().result(10).items == ()
    audit = {r["uuid"]: r for r in desk.store.outbox.dead_letters()}
    assert audit[tap.event.uuid]["resolved_action"] == "retried"
    assert (audit[other.event.uuid]["resolved_by"], audit[other.event.uuid]["resolved_note"]) == (
        "S3", "desk retired after the day")  # fmt: skip
    assert s.dismiss_dead_letter(other.event.uuid, reason="x").result(10).reason == (
        "no_dead_letter")  # fmt: skip
    assert s.sync_now().result(10) is False  # no sync attached to this desk


def test_fifty_manual_and_void_actions_racing_are_each_recorded_once(desk: Desk) -> None:
    desk.sign_in("S2")
    people = [a.id for a in ROSTER[:10]]
    results: list[Outcome] = []
    lock = threading.Lock()

    def act(i: int) -> None:
        person = people[i % 10]
        if i < 10:
            future = desk.service.manual(person, direction=Direction.IN, reason=f"race {i}")
        elif i < 20:
            future = desk.service.void_last(person, reason=f"race {i}")
        else:
            future = desk.service.manual(person, direction=Direction.IN, reason=f"race {i}")
        outcome = future.result(20)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=act, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 50
    stored = desk.store.records.events()
    recorded = [o.event.uuid for o in results if o.event is not None]
    assert sorted(recorded) == sorted(e.event.uuid for e in stored)  # each once, none extra
    assert [e.event.seq for e in stored] == list(range(1, len(stored) + 1))
    assert chain.verify(desk.store.records.chain_rows(), desk.store.device_verify_key()) == []
    # Per person the desk decided in order: whatever stands is at most one check-in.
    for person in people:
        standing = desk.store.records.attendance(NUMBER, person, desk_name="A")
        assert len(standing) <= 1


def test_a_search_with_ten_thousand_results_returns_the_first_rows_and_the_count(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "big.sqlite3")
    store.roster.save_project(make_project())
    store.roster.save_roster(NUMBER, make_roster(10_000))
    give_staff(store, NUMBER)
    d = Desk(store)
    try:
        d.sign_in("S1")
        everyone = d.service.search("内蒙古自治区").result(30)  # every unit matches
        assert everyone.total == 10_000 and len(everyone.rows) == 50
        assert len(d.service.search("内蒙古自治区", limit=5).result(30).rows) == 5
        listed = d.service.session_list("not_arrived").result(30)
        assert listed.total == 10_000 and len(listed.rows) == 200
        # A walk-in moves the roster's revision: the index is rebuilt and finds them.
        d.service.register_walk_in(
            WalkInForm("resident_id", "11010519491231002X", "欧阳娜娜", "内蒙古自治区医院")
        ).result(30)
        assert d.service.search("内蒙古自治区").result(30).total == 10_001
        assert [r.name for r in d.service.search("oyn").result(30).rows] == ["欧阳娜娜"]
        # Retention purges the roster: the desk's cached names go with it.
        store.purge_project(NUMBER, now=at(DAY1, 18))
        assert d.service.search("内蒙古自治区").result(30).total == 0
    finally:
        d.service.stop()
        store.close()


def test_check_ins_go_on_while_a_pin_is_being_matched(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 per member runs on the sign-in thread: a tap meanwhile is answered at once."""
    from kiosk.services import staff_session

    real = staff_session.pin_matches
    matching, release = threading.Event(), threading.Event()

    def held(pin_hash: str, pin: str) -> bool:  # the real check, held until the tap is answered
        matching.set()
        assert release.wait(10)
        return real(pin_hash, pin)

    monkeypatch.setattr(staff_session, "pin_matches", held)
    signing_in = desk.service.sign_in(PINS["S3"])
    assert matching.wait(10)
    tap = desk.service.submit(Credential.id_card(document=ROSTER[7].document))
    assert tap.result(10).status is Status.ACCEPTED  # not behind the PIN
    assert not signing_in.done()
    release.set()
    signing_in.result(10)
    assert desk.heard.of(StaffState)[-1].staff_id == "S3"
