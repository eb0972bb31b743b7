"""The platform witnesses the end of a kiosk's log: a rollback of rows and checkpoint shows."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kiosk.services.checkin import CheckInService, Credential, Status
from sync.store.head import head_path
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, cli, enroll_cli, open_store, write_config
from tests.support.roster import DAY1, FakeClock, at

pytestmark = pytest.mark.timeout(120)


def test_a_log_rolled_back_with_its_checkpoint_is_caught_by_the_platforms_head(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path, "A")
    status, _, err = enroll_cli(capsys, srv, cfg)
    assert status == 0, err
    config, store = open_store(cfg)
    project = store.roster.load_project(NUMBER)
    assert project is not None
    svc = CheckInService(store=store, project=project, device_id=str(store.get_meta("device_id")),
                         desk_name="A", clock=FakeClock(at(DAY1, 8)))  # fmt: skip
    people = store.roster.attendees(NUMBER)
    db = config.data_dir / "kiosk.sqlite3"
    saved = tmp_path / "head-at-3.json"
    for i, person in enumerate(people[:5]):
        assert svc.present(Credential.id_card(document=person.document)).status is Status.ACCEPTED
        if i == 2:
            shutil.copy(head_path(db), saved)  # the signed checkpoint after record 3
    store.close()
    status, out, err = cli(capsys, "--config", str(cfg), "sync", "--push-only")
    assert status == 0, out + err
    desk = srv.admin.devices(NUMBER)[0]
    assert desk.head_seq == 5 and desk.complete

    # Records 4 and 5 cut, and the older checkpoint put back: consistent locally.
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM events WHERE seq > 3")
    conn.commit()
    conn.close()
    shutil.copy(saved, head_path(db))
    status, out, err = cli(capsys, "--config", str(cfg), "verify", str(db))
    assert status == 0 and "3 records, signed end 3" in out and "INTACT" in out, out + err
    status, out, err = cli(capsys, "--config", str(cfg), "verify", str(db), "--server")
    assert status == 1, out + err
    assert "record 4: records 4–5 missing after the last row (the platform holds this" in out
    assert "platform's head 5" in out

    # The kiosk, restarted on the rolled-back log, reports an older signed head: audited.
    status, out, err = cli(capsys, "--config", str(cfg), "sync", "--push-only")
    assert status == 0, out + err
    audit = [a for a in srv.admin.audit_log(NUMBER) if a["action"] == "head_rollback"]
    assert len(audit) == 1 and "signed head 3 reported after 5" in audit[0]["detail"]
    assert srv.admin.devices(NUMBER)[0].head_seq == 5
