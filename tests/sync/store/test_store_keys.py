"""Roster keys and secrets in the store: sealed at rest, replaced on rotation, purged; replay guard."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

from sync.store import Store
from tests.support.roster import make_project

NOW = datetime.fromisoformat("2026-12-02T08:00:00+08:00")


def _store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "kiosk.sqlite3")
    s.roster.save_project(make_project())
    return s


def test_ticket_keys_replace_on_rotation_and_denied_key_round_trips(tmp_path: Path) -> None:
    s = _store(tmp_path)
    number = make_project().number
    s.keys.save_project_keys(number, ticket_keys={"k1": b"\x01" * 32}, denied_hmac_key=b"\x07" * 32)
    s.keys.save_project_keys(
        number, ticket_keys={"k2": b"\x02" * 32, "k3": b"\x03" * 32}, denied_hmac_key=b"\x08" * 32
    )
    assert s.keys.ticket_keys(number) == {"k2": b"\x02" * 32, "k3": b"\x03" * 32}
    assert s.keys.denied_key(number) == b"\x08" * 32
    assert s.keys.ticket_keys("other") == {}
    assert s.keys.denied_key("other") is None


def test_secrets_are_sealed_at_rest_and_purged_with_the_project(tmp_path: Path) -> None:
    s = _store(tmp_path)
    number = make_project().number
    secret = bytes(range(32))
    s.keys.save_project_keys(number, ticket_keys={}, denied_hmac_key=b"\x55" * 32)
    assert s.keys.save_attendee_secrets(number, {"A1": secret}) == 1
    assert s.keys.attendee_secret(number, "A1") == secret
    assert s.keys.attendee_secret(number, "A2") is None
    s.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.sqlite3*"))
    assert secret not in raw
    assert b"\x55" * 32 not in raw
    s = Store.open(tmp_path / "kiosk.sqlite3")
    s.keys.claim(project=number, attendee_id="A1", slot=100)
    s.purge_project(number, now=NOW)
    assert s.keys.attendee_secret(number, "A1") is None
    assert s.keys.denied_key(number) is None
    assert s.keys.claim(project=number, attendee_id="A1", slot=100)  # the used slot went too


def test_claim_is_once_per_slot_durable_and_atomic_across_threads(tmp_path: Path) -> None:
    s = _store(tmp_path)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        wins.append(s.keys.claim(project="P", attendee_id="A1", slot=5000))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert s.keys.claim(project="P", attendee_id="A1", slot=5001)
    assert s.keys.claim(project="P", attendee_id="A2", slot=5000)  # per attendee
    s.close()
    s = Store.open(tmp_path / "kiosk.sqlite3")
    assert not s.keys.claim(
        project="P", attendee_id="A1", slot=5000, now=NOW + timedelta(seconds=5)
    )


def test_claim_forgets_slots_too_old_to_be_accepted(tmp_path: Path) -> None:
    s = _store(tmp_path)
    assert s.keys.claim(project="P", attendee_id="A1", slot=10)
    assert s.keys.claim(project="P", attendee_id="A2", slot=20)
    rows = s.db.read("SELECT slot FROM used_slots WHERE project = 'P'")
    assert [r[0] for r in rows] == [20]
