"""Staff records on the platform: voids, disputes, manual records; named staff administration."""

from __future__ import annotations

import io
import json

import pytest

from kiosk.services.pins import hash_pin
from sync.server import db as t
from sync.server.pins import set_pin_hash
from sync.server.staff import add_member
from tests.support.cli import run_cli as cli
from tests.support.desks import enroll, statuses
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at

NUMBER = "2026-15-01-001"
pytestmark = pytest.mark.timeout(120)


def test_a_void_undoes_its_own_desks_record_once_and_every_refusal_counts(
    srv: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = enroll(srv, NUMBER, "A"), enroll(srv, NUMBER, "B")
    tap = a.record("A1", at=at(DAY1, 8, 10))
    other = b.record("A2", at=at(DAY1, 8, 11))
    assert statuses(b.upload(other)) == [("accepted", "")]
    manual = a.record("A3", at=at(DAY1, 8, 12), method="manual", staff_id="S2", note="卡坏了")
    void = a.record(
        "A1", at=at(DAY1, 8, 13), method="manual", kind="void", refers_to=tap.uuid,
        staff_id="S2", note="tapped twice",
    )  # fmt: skip
    again = a.record("A1", at=at(DAY1, 8, 14), kind="void", refers_to=tap.uuid, staff_id="S2",
                     note="again")  # fmt: skip
    theirs = a.record("A2", at=at(DAY1, 8, 15), kind="void", refers_to=other.uuid, staff_id="S2",
                      note="not mine")  # fmt: skip
    nothing = a.record("A2", at=at(DAY1, 8, 16), kind="void", refers_to="no-such-record",
                       staff_id="S2", note="?")  # fmt: skip
    of_void = a.record("A1", at=at(DAY1, 8, 17), kind="void", refers_to=void.uuid, staff_id="S2",
                       note="undo the undo")  # fmt: skip
    dispute = a.record(
        "A1", at=at(DAY1, 9), kind="dispute", refers_to=tap.uuid, note="我 8:05 就到了",
        receipt="CME-RCT1:ABC", staff_id="S2",
    )  # fmt: skip
    answers = a.upload(tap, manual, void, again, theirs, nothing, of_void, dispute)
    assert statuses(answers) == [
        ("accepted", ""), ("accepted", ""), ("accepted", ""), ("rejected", "already_voided"),
        ("rejected", "void_not_own"), ("rejected", "void_unknown_record"),
        ("rejected", "void_not_a_checkin"), ("accepted", ""),
    ]  # fmt: skip
    # A retry of the same void is a duplicate, never a second void.
    assert statuses(a.upload(void)) == [("duplicate", "")]
    # Every refusal is provably the desk's: no hole in its sequence numbers.
    desk = a.client.device_status(a.seq).desk
    assert desk.complete and desk.missing == 0

    stored = {e["uuid"]: e for e in srv.admin.stored_events(NUMBER)}
    assert stored[tap.uuid]["voided_by"] == void.uuid
    assert stored[void.uuid]["kind"] == "void" and stored[void.uuid]["note"] == "tapped twice"
    assert stored[manual.uuid]["staff_id"] == "S2" and stored[manual.uuid]["method"] == "manual"
    assert stored[dispute.uuid]["receipt"] == "CME-RCT1:ABC"
    assert "unknown_attendee" not in stored[dispute.uuid]["server_flags"]

    # Desk B pulls the void and the voided record with what undid it.
    pulled = {}
    b.client.pull(NUMBER, on_page=lambda page: pulled.update({e.uuid: e for e in page.events}))
    assert pulled[tap.uuid].voided_by == void.uuid
    assert (pulled[void.uuid].kind, pulled[void.uuid].refers_to) == ("void", tap.uuid)
    assert pulled[dispute.uuid].note == "我 8:05 就到了"
    assert pulled[manual.uuid].staff_id == "S2"

    status, out, err = cli(capsys, "server", "status", NUMBER, "--db", srv.db_url)
    assert status == 0, err
    assert "desk staff: manual records 1 · voided 1 · disputes 1" in out
    assert "voided A1 by S2" in out and "tapped twice" in out
    assert "dispute A1 by S2" in out and "我 8:05 就到了" in out


def test_a_void_in_the_same_batch_as_its_record_and_conflicts_ignore_staff_records(
    srv: LiveServer,
) -> None:
    a, b = enroll(srv, NUMBER, "A"), enroll(srv, NUMBER, "B")
    tap = a.record("A1", at=at(DAY1, 8, 10))
    void = a.record("A1", at=at(DAY1, 8, 11), kind="void", refers_to=tap.uuid, staff_id="S1",
                    note="wrong person")  # fmt: skip
    assert statuses(a.upload(tap, void)) == [("accepted", ""), ("accepted", "")]
    # B's check-in of the same person is not in conflict with A's voided one.
    assert statuses(b.upload(b.record("A1", at=at(DAY1, 8, 20)))) == [("accepted", "")]
    assert srv.admin.status(NUMBER).conflicts == 0


def _add(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, srv: LiveServer,
         pin: str, *args: str) -> tuple[int, str, str]:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    return cli(capsys, "server", "staff", "add", NUMBER, *args, "--pin-stdin", "--db", srv.db_url)


def test_named_staff_are_managed_audited_and_reach_desks_the_organizer_without_pins(
    srv: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = _add(capsys, monkeypatch, srv, "284619", "--name", "王芳")
    assert status == 0, err
    assert out.startswith("S1 王芳 (staff) added")
    status, out, err = _add(capsys, monkeypatch, srv, "735102", "--name", "李娜", "--role", "lead")
    assert status == 0 and out.startswith("S2 李娜 (lead)"), err
    # One PIN, one person; a trivial PIN is refused; nothing is added either time.
    status, _, err = _add(capsys, monkeypatch, srv, "284619", "--name", "张伟")
    assert status == 1 and "another member of this project has that PIN" in err
    status, _, err = _add(capsys, monkeypatch, srv, "123456", "--name", "张伟")
    assert status == 1 and "too easy" in err
    # Without a terminal and without --pin-stdin the command says how to give the PIN.
    monkeypatch.setattr("sys.stdin", io.StringIO("284619\n"))
    status, _, err = cli(capsys, "server", "staff", "add", NUMBER, "--name", "X", "--db",
                         srv.db_url)  # fmt: skip
    assert status == 1 and "--pin-stdin" in err

    status, out, err = cli(capsys, "server", "staff", "remove", NUMBER, "S1", "--db", srv.db_url)
    assert status == 0, err
    status, out, err = cli(capsys, "server", "staff", "remove", NUMBER, "S1", "--db", srv.db_url)
    assert status == 1 and "no active staff member S1" in err
    status, out, err = cli(capsys, "server", "staff", "list", NUMBER, "--json", "--db", srv.db_url)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["staff_id"], r["role"], r["removed_at"] is None) for r in rows] == [
        ("S1", "staff", False), ("S2", "lead", True),
    ]  # fmt: skip
    assert "argon2" not in out and "284619" not in out + err
    status, out, _ = cli(capsys, "server", "staff", "list", NUMBER, "--db", srv.db_url)
    assert "S2    李娜" in out and "removed" in out and "argon2" not in out

    set_pin_hash(srv.admin.platform, NUMBER, role="organizer", pin_hash=hash_pin("905317"),
                 actor="test")  # fmt: skip
    desk, organizer = enroll(srv, NUMBER, "A"), enroll(srv, NUMBER, "org", role="organizer")
    bundle, etag = desk.client.project(NUMBER)
    assert bundle is not None
    assert [(m.staff_id, m.name, m.role) for m in bundle.staff] == [("S2", "李娜", "lead")]
    assert "organizer" not in bundle.pin_hashes  # organizer PIN hashes never go to desks
    org_bundle, _ = organizer.client.project(NUMBER)
    assert org_bundle is not None and "organizer" in org_bundle.pin_hashes
    # The organizer's device learns who the staff are, never their PINs' hashes: it is not a
    # desk, and a lost laptop must not carry PINs to brute-force offline.
    assert [(m.staff_id, m.name, m.pin_hash) for m in org_bundle.staff] == [("S2", "李娜", None)]
    assert [m.pin_hash is not None and m.pin_hash.startswith("$argon2") for m in bundle.staff] == [
        True
    ]
    assert "argon2" not in org_bundle.model_dump_json().replace(
        org_bundle.pin_hashes["organizer"], ""
    )
    # A change of the list changes the bundle's ETag: desks fetch it at their next pull.
    add_member(srv.admin.platform, NUMBER, name="赵敏", role="staff", pin_hash=hash_pin("615283"),
               same_pin=lambda _h: False, actor="test")  # fmt: skip
    again, new_etag = desk.client.project(NUMBER, etag=etag)
    assert again is not None and new_etag != etag and len(again.staff) == 2

    audit = [(a["action"], a["subject"]) for a in srv.admin.audit_log(NUMBER)
             if a["action"].startswith("staff_")]  # fmt: skip
    assert audit == [("staff_add", "S1"), ("staff_add", "S2"), ("staff_remove", "S1"),
                     ("staff_add", "S3")]  # fmt: skip
    assert "284619" not in str(srv.admin.audit_log(NUMBER))
    with srv.admin.platform.db.read() as conn:
        assert conn.execute(t.staff.select()).all()  # stored, hashes only
