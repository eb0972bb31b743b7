"""Walk-ins: the identity of a provisional attendee reaches the platform before its records."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.model import Attendee, DeskMode, Flag
from kiosk.core.timeutil import utc_now
from kiosk.services.checkin import Credential, Status
from kiosk.services.opening import open_desk
from kiosk.services.platform import enroll_kiosk
from kiosk.services.platform_state import load_token
from sync.client.client import walk_in_record
from sync.client.errors import PermanentError, TransientError
from sync.client.outbox import Outbox
from sync.server.walkins import stored_walk_ins
from tests.support.desks import enroll
from tests.support.fault_proxy import FaultProxy
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, cli, open_store, write_config
from tests.support.roster import DAY1, at, make_roster

pytestmark = pytest.mark.timeout(90)


def enrolled(srv: LiveServer, tmp_path: Path, name: str = "A") -> Path:
    """An enrolled kiosk, the server's clock on real time."""
    # The learned offset is then ~0: the desk's day-1 scan instants stay on the project's days.
    srv.clock.set(utc_now())
    cfg = write_config(tmp_path, name)
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    enroll_kiosk(config, store, server_url=srv.url, code=code, ca_bundle=srv.tls.ca_pem)
    store.close()
    return cfg


def test_a_walk_in_is_credited_on_the_platform_and_stored_once(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = enrolled(srv, tmp_path)
    stranger = make_roster(7)[6]  # a valid ID card, not on the platform's roster of 5
    desk = open_desk(load_config(cfg))
    card = Credential.id_card(document=stranger.document, name=stranger.name)
    first = desk.service.present(card, now=at(DAY1, 8, 10))
    assert first.status is Status.ACCEPTED and first.event is not None
    assert Flag.PROVISIONAL_ATTENDEE in first.event.flags
    walk_in_id = first.event.attendee_id
    device = desk.service.device_id
    desk.close()
    status, out, err = cli(capsys, "--config", str(cfg), "sync", "--push-only")
    assert status == 0 and "accepted 1" in out, err
    [row] = stored_walk_ins(srv.admin.platform, NUMBER)
    assert row["attendee_id"] == walk_in_id and row["device_id"] == device
    assert row["id_number"] == stranger.document.number and row["name"] == stranger.name
    assert row["id_type"] == "resident_id" and row["roster_ref"] is None
    [event] = srv.admin.stored_events(NUMBER)
    assert event["attendee_id"] == walk_in_id and event["received_at"] >= row["received_at"]
    # Leaving at noon references the walk-in again: the platform answers duplicate, keeps one.
    desk = open_desk(load_config(cfg))
    desk.service.mode = DeskMode.OUT
    assert desk.service.present(card, now=at(DAY1, 12, 5)).status is Status.ACCEPTED
    desk.close()
    assert cli(capsys, "--config", str(cfg), "sync", "--push-only")[0] == 0
    assert len(stored_walk_ins(srv.admin.platform, NUMBER)) == 1
    assert len(srv.admin.stored_events(NUMBER)) == 2
    # The masked number, not the number, is in the audit trail.
    trail = [a for a in srv.admin.audit_log(NUMBER) if a["action"] == "walk_in"]
    assert len(trail) == 1 and stranger.document.number not in str(trail)


def test_records_wait_for_their_walk_in_when_the_walk_in_upload_fails(
    srv: LiveServer, tmp_path: Path
) -> None:
    cfg = enrolled(srv, tmp_path)
    stranger = make_roster(8)[7]
    desk = open_desk(load_config(cfg))
    assert desk.service.present(
        Credential.id_card(document=stranger.document, name=stranger.name), now=at(DAY1, 9)
    ).status is Status.ACCEPTED  # fmt: skip
    token = load_token(desk.store, use_keyring=False)
    proxy = FaultProxy(
        ("127.0.0.1", srv.port), server_context=srv.tls.server_context(),
        upstream_context=srv.tls.client_context(), retry_after="7",
        plan=lambda i, method, path: "http_503" if path.startswith("/api/v1/walk-ins") else None,
    ).start()  # fmt: skip
    try:
        via = srv.client(url=proxy.url, token=token)
        with pytest.raises(TransientError) as err:
            Outbox(desk.store.outbox, via).drain()
        assert err.value.retry_after == 7
    finally:
        proxy.stop()
    assert proxy.counts["http_503"] == 1
    assert srv.admin.stored_events(NUMBER) == [] and desk.store.outbox.pending_count() == 1
    Outbox(desk.store.outbox, srv.client(token=token)).drain()
    assert len(stored_walk_ins(srv.admin.platform, NUMBER)) == 1
    assert len(srv.admin.stored_events(NUMBER)) == 1 and desk.store.outbox.pending_count() == 0
    desk.close()


def test_walk_in_answers_for_foreign_conflicting_and_roster_identities(srv: LiveServer) -> None:
    a = enroll(srv, NUMBER, "A")
    b = enroll(srv, NUMBER, "B")
    people = make_roster(9)
    stranger = Attendee(
        id="P-0b6e1c2a-0000-4000-8000-000000000001", document=people[8].document,
        name=people[8].name, provisional=True,
    )  # fmt: skip
    mine = walk_in_record(stranger, project=NUMBER, device_id=a.device_id)
    assert [x.status for x in a.client.upload_walk_in_records([mine])] == ["accepted"]
    assert [x.status for x in a.client.upload_walk_in_records([mine])] == ["duplicate"]
    changed = mine.model_copy(update={"name": "别人"})
    foreign = mine.model_copy(update={"attendee_id": "P-2"})
    answers = b.client.upload_walk_in_records([changed, foreign])
    assert [(x.status, x.reason) for x in answers] == [
        ("rejected", "wrong_device"), ("rejected", "wrong_device"),
    ]  # fmt: skip
    again = a.client.upload_walk_in_records([changed.model_copy(update={"device_id": a.device_id})])
    assert [(x.status, x.reason) for x in again] == [("rejected", "walk_in_conflict")]
    # A walk-in whose card is on the platform's (newer) roster is linked to that entry.
    known = walk_in_record(
        Attendee(id="P-3", document=people[1].document, name=people[1].name,
                            provisional=True),
        project=NUMBER, device_id=a.device_id,
    )  # fmt: skip
    assert a.client.upload_walk_in_records([known])[0].status == "accepted"
    rows = {r["attendee_id"]: r for r in stored_walk_ins(srv.admin.platform, NUMBER)}
    assert rows["P-3"]["roster_ref"] == "A2" and len(rows) == 2
    assert rows[stranger.id]["name"] == people[8].name  # the conflicting name did not overwrite
    # Malformed: an unknown document type is refused as a whole, nothing stored.
    body = (
        f'{{"records": [{{"project": "{NUMBER}", "attendee_id": "P-9", "id_type": "x",'
        f' "id_number": "1", "name": "n", "unit": "", "device_id": "{a.device_id}"}}]}}'
    )
    with pytest.raises(PermanentError) as err:
        a.client._http.send("POST", "/api/v1/walk-ins", token=a.client.token, json_body=body)
    assert err.value.reason == "invalid_request"
    assert len(stored_walk_ins(srv.admin.platform, NUMBER)) == 2
