"""The store's durability settings, file modes, disk-full and read-only behaviour, and backups."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.core.errors import StorageUnavailable
from kiosk.core.model import DeskMode
from kiosk.services.checkin import CheckInService, Credential, Status
from sync.store import Store
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "kiosk.sqlite3")
    project = make_project()
    s.roster.save_project(project)
    s.roster.save_roster(project.number, make_roster(8))
    return s


def desk(store: Store, clock: FakeClock) -> CheckInService:
    return CheckInService(
        store=store,
        project=make_project(),
        device_id="dev",
        desk_name="A",
        mode=DeskMode.IN,
        clock=clock,
    )


def test_pragmas_read_back(store: Store) -> None:
    assert store.db.pragma("journal_mode") == "wal"
    assert store.db.pragma("synchronous") == 2  # FULL
    assert store.db.pragma("user_version") >= 1


def test_database_and_key_files_are_private(store: Store, tmp_path: Path) -> None:
    desk(store, FakeClock(at(DAY1, 9))).present(
        Credential.id_card(document=make_roster()[0].document)
    )
    for name in (
        "kiosk.sqlite3",
        "kiosk.sqlite3-wal",
        "keys/index.key",
        "keys/fields.key",
        "keys/device-ed25519.key",
    ):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    assert stat.S_IMODE(os.stat(tmp_path / "keys").st_mode) == 0o700


def test_lookups_go_through_the_keyed_index(store: Store, tmp_path: Path) -> None:
    number = make_roster()[1].document.number
    assert store.roster.find_by_document("2026-15-01-001", number) is not None
    raw = sqlite3.connect(tmp_path / "kiosk.sqlite3")
    indexed = raw.execute("SELECT doc_index FROM attendees WHERE id = 'A2'").fetchone()[0]
    assert indexed == store.db.index(number) and number.encode() not in indexed
    # Another kiosk's key gives another index: the column is useless without this kiosk's key.
    other = Store.open(tmp_path / "other.sqlite3", index_key=b"x" * 32)
    assert other.db.index(number) != store.db.index(number)


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "a.sqlite3")
    version = s.db.pragma("user_version")
    s.close()
    assert Store.open(tmp_path / "a.sqlite3").db.pragma("user_version") == version


def test_disk_full_refuses_new_check_ins_keeps_old_ones_and_recovers(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "full.sqlite3")
    store.roster.save_project(make_project())
    people = make_roster(400)
    store.roster.save_roster("2026-15-01-001", people)
    clock = FakeClock(at(DAY1, 8))
    svc = desk(store, clock)
    # Cap the file one page above its size (SQLITE_FULL, cheaply): writes succeed until it is full.
    store.db.checkpoint()
    pages = store.db.pragma("page_count")
    store.db.pragma(f"max_page_count={pages + 1}")
    outcomes = []
    for p in people:
        clock.advance(seconds=1)
        outcomes.append(svc.present(Credential.id_card(document=p.document)))
    statuses = [o.status for o in outcomes]
    assert Status.ACCEPTED in statuses and Status.ERROR in statuses
    first_error = statuses.index(Status.ERROR)
    assert all(s is Status.ERROR for s in statuses[first_error:]), "a record slipped in after full"
    assert "存储空间不足" in outcomes[first_error].message_zh
    accepted = [o.event.uuid for o in outcomes if o.event is not None]
    assert [
        e.event.uuid for e in store.records.events()
    ] == accepted  # nothing lost, nothing half-written
    # Space comes back: the very next check-in works, on the same connection.
    store.db.pragma("max_page_count=1073741823")
    clock.advance(seconds=1)
    again = svc.present(Credential.id_card(document=people[first_error].document))
    assert again.status is Status.ACCEPTED and again.event is not None
    assert again.event.seq == len(accepted) + 1
    reopened = Store.open(store.path)
    assert [e.event.seq for e in reopened.records.events()] == list(range(1, len(accepted) + 2))


def test_read_only_database_refuses_with_message(store: Store) -> None:
    store.db.pragma("query_only=1")
    out = desk(store, FakeClock(at(DAY1, 8))).present(
        Credential.id_card(document=make_roster()[0].document)
    )
    assert out.status is Status.ERROR
    assert "只读" in out.message_zh
    with pytest.raises(StorageUnavailable):
        store.set_meta("k", "v")
    store.db.pragma("query_only=0")
    store.set_meta("k", "v")
    assert store.get_meta("k") == "v"


def test_backup_while_writing_is_consistent(store: Store, tmp_path: Path) -> None:
    clock = FakeClock(at(DAY1, 8))
    people = make_roster(8)
    svc = desk(store, clock)
    stop = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set():
            svc.present(
                Credential.id_card(document=people[i % 8].document),
                now=at(DAY1, 8) + timedelta(minutes=11 * i),
            )
            i += 1

    t = threading.Thread(target=write)
    t.start()
    try:
        store.db.backup(tmp_path / "backup" / "copy.sqlite3")
    finally:
        stop.set()
        t.join()
    copy = sqlite3.connect(tmp_path / "backup" / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    seqs = [r[0] for r in copy.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    assert stat.S_IMODE(os.stat(tmp_path / "backup" / "copy.sqlite3").st_mode) == 0o600


def test_full_disk_on_open_is_a_clear_error(tmp_path: Path) -> None:
    err = None
    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError as exc:
        from sync.store.sqlite import storage_error

        err = storage_error(exc, action="recording")
    assert isinstance(err, StorageUnavailable) and "disk full" in err.detail
