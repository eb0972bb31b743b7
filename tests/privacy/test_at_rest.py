"""A copied database reveals nothing personal; the log shows any insertion, change or removal."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.core.model import Method
from kiosk.services.checkin import CheckInService, Credential, Status
from sync.store import Store
from tests.support.roster import DAY1, DAY2, FakeClock, at, make_project, make_roster, resident

ROOT = Path(__file__).resolve().parents[2]


def seeded(tmp_path: Path, n: int = 20) -> tuple[Store, list[str]]:
    """A store after a morning of check-ins: ID cards, a walk-in, face with evidence, a template."""
    store = Store.open(tmp_path / "kiosk.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(n)
    store.roster.save_roster(project.number, people)
    clock = FakeClock(at(DAY1, 8))
    svc = CheckInService(store=store, project=project, device_id="d", desk_name="A", clock=clock)
    for p in people[:-2]:
        clock.advance(seconds=30)
        assert (
            svc.present(Credential.id_card(document=p.document, name=p.name)).status
            is Status.ACCEPTED
        )
    walk_in = resident("15020319881109032")
    svc.present(Credential.id_card(document=walk_in, name="孙丽娟"))
    svc.present(
        Credential.attendee(
            people[-1].id, method=Method.FACE, evidence=b"JPEG" + "面部".encode() * 50
        )
    )
    store.records.save_face_template(
        project="2026-15-01-001",
        attendee_id=people[-1].id,
        template=b"TEMPLATE-OF-" + people[-1].name.encode(),
        source="on_site",
        consent_at=at(DAY1, 9),
    )
    secrets = [p.name for p in people] + [p.document.number for p in people]
    secrets += [
        walk_in.number,
        "孙丽娟",
        "TEMPLATE-OF-",
        "面部面部",
        "内蒙古自治区人民医院",
        "重症医学科",
    ]
    return store, secrets


def leaks(files: list[Path], secrets: list[str]) -> list[str]:
    found = []
    for f in files:
        if not f.exists():
            continue
        data = f.read_bytes()
        for s in secrets:
            for encoding in ("utf-8", "utf-16-le"):
                if s.encode(encoding) in data:
                    found.append(f"{s!r} ({encoding}) in {f.name}")
    return found


def test_database_wal_and_journal_hold_no_personal_data(tmp_path: Path) -> None:
    store, secrets = seeded(tmp_path)
    files = [tmp_path / f"kiosk.sqlite3{s}" for s in ("", "-wal", "-shm", "-journal")]
    assert (tmp_path / "kiosk.sqlite3-wal").stat().st_size > 0  # searched while the WAL is live
    assert leaks(files, secrets) == []
    store.close()
    assert leaks(files, secrets) == []
    # And the data is all there for whoever holds the keys.
    again = Store.open(tmp_path / "kiosk.sqlite3")
    names = {a.name for a in again.roster.attendees("2026-15-01-001")}
    assert {"孙丽娟", make_roster()[0].name} <= names


def test_a_copied_database_without_its_keys_cannot_be_read(tmp_path: Path) -> None:
    store, _ = seeded(tmp_path)
    store.close()
    copy = tmp_path / "stolen"
    copy.mkdir()
    (copy / "kiosk.sqlite3").write_bytes((tmp_path / "kiosk.sqlite3").read_bytes())
    # The store will not make keys for a database that exists; a thief's own are not the kiosk's.
    thief = Store.open(copy / "kiosk.sqlite3", create_keys=True)
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        thief.roster.attendees("2026-15-01-001")
    assert thief.roster.find_by_document("2026-15-01-001", make_roster()[0].document.number) is None


def verify(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "verify", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def tampered_copy(tmp_path: Path, name: str, sql: str, params: tuple[object, ...] = ()) -> Path:
    target = tmp_path / name
    target.mkdir()
    os.symlink(tmp_path / "keys", target / "keys")
    src = sqlite3.connect(tmp_path / "kiosk.sqlite3")
    dst = sqlite3.connect(target / "kiosk.sqlite3")
    src.backup(dst)
    src.close()
    dst.execute(sql, params)
    dst.commit()
    dst.close()
    return target / "kiosk.sqlite3"


def test_verify_detects_altered_deleted_and_inserted_rows(tmp_path: Path) -> None:
    store, _ = seeded(tmp_path)
    store.close()
    intact = verify(tmp_path / "kiosk.sqlite3")
    assert intact.returncode == 0 and "20 records" in intact.stdout and "INTACT" in intact.stdout

    altered = verify(
        tampered_copy(tmp_path, "alter", "UPDATE events SET attendee_id = 'A3' WHERE seq = 5")
    )
    assert altered.returncode == 1
    assert "record 5: contents do not match" in altered.stdout

    deleted = verify(tampered_copy(tmp_path, "delete", "DELETE FROM events WHERE seq = 7"))
    assert deleted.returncode == 1
    assert "record 8: sequence jumps from 6 to 8" in deleted.stdout
    assert "record 8: does not link to the previous record" in deleted.stdout

    # An insertion with a correct-looking hash but no device key: the signature gives it away.
    from sync import chain

    conn = sqlite3.connect(tmp_path / "kiosk.sqlite3")
    conn.row_factory = sqlite3.Row
    last = dict(conn.execute("SELECT * FROM events ORDER BY seq DESC LIMIT 1").fetchone())
    conn.close()
    forged = {
        **last,
        "seq": last["seq"] + 1,
        "uuid": "forged",
        "attendee_id": "A2",
        "prev_hash": last["hash"],
    }
    forged["hash"] = chain.link(str(last["hash"]), forged)
    cols = [c for c in forged if c != "sync_state"]
    inserted = verify(
        tampered_copy(
            tmp_path,
            "insert",
            f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            tuple(forged[c] for c in cols),
        )
    )
    assert inserted.returncode == 1
    assert f"record {last['seq'] + 1}: signature is not the device's" in inserted.stdout


def test_retention_purges_templates_photos_and_roster(tmp_path: Path) -> None:
    store, _ = seeded(tmp_path)
    number = "2026-15-01-001"
    evidence_ref = next(
        e.event.evidence_ref for e in store.records.events() if e.event.evidence_ref
    )
    assert evidence_ref is not None
    keep = dict(after_submission=timedelta(days=30), if_never_submitted=timedelta(days=90))
    # Never submitted: due 90 days after the last day (Shanghai), not a day before.
    assert store.purge_due(now=at(DAY2, 23) + timedelta(days=89), **keep) == []
    store.mark_submitted(number, at(DAY2, 18))
    assert store.purge_due(now=at(DAY2, 18) + timedelta(days=29), **keep) == []
    assert store.purge_due(now=at(DAY2, 18) + timedelta(days=30), **keep) == [number]
    assert store.records.face_templates(number) == {}
    assert store.records.evidence(evidence_ref) is None
    assert store.roster.attendees(number) == [] and store.roster.load_project(number) is None
    assert len(store.records.events()) == 20  # the bare records stay for the platform
    assert store.purge_due(now=at(DAY2, 18) + timedelta(days=400), **keep) == []  # once only


def test_purge_command_now(data_dir: Path) -> None:
    store, _ = seeded(data_dir)
    store.close()
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "purge", "--project", "2026-15-01-001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CME_KIOSK_DATA_DIR": str(data_dir)},
    )
    assert out.returncode == 0, out.stderr
    assert "purged: 2026-15-01-001" in out.stdout
    assert Store.open(data_dir / "kiosk.sqlite3").roster.attendees("2026-15-01-001") == []
