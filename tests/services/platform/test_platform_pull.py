"""pull_project and `cme-kiosk sync` against the live server: codes offline, key rotation, resumes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.codes import (
    Reason,
    Ticket,
    kiosk_context,
    make_rotating_code,
    sign_ticket,
)
from kiosk.core.codes import classify_and_verify as verify
from kiosk.core.codes.verify import VerifyContext
from kiosk.core.errors import StorageUnavailable
from kiosk.services.checkin import Credential, Status
from kiosk.services.opening import open_desk
from kiosk.services.platform import (
    PlatformProblem,
    client_for,
    enroll_kiosk,
    explain,
    pull_project,
)
from kiosk.services.platform_state import load_token
from sync.client import TransientError
from sync.server.roster import RosterRow, import_roster
from sync.store import Store
from tests.support.fault_proxy import FaultProxy, every_nth
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, cli, open_store, write_config
from tests.support.roster import DAY1, DAY2, at, make_roster

pytestmark = pytest.mark.timeout(90)
NOW = at(DAY1, 8, 30)


def enrolled(srv: LiveServer, tmp_path: Path, name: str = "A") -> tuple[Path, Store]:
    """A kiosk enrolled (and fully pulled) through the service; its config path and store."""
    cfg = write_config(tmp_path, name)
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    enroll_kiosk(config, store, server_url=srv.url, code=code, ca_bundle=srv.tls.ca_pem)
    return cfg, store


def context(store: Store) -> VerifyContext:
    """What a desk verifies codes with: only what the pull left in the store."""
    project = store.roster.load_project(NUMBER)
    assert project is not None
    return kiosk_context(
        project, ticket_keys=store.keys.ticket_keys(NUMBER),
        attendee_secret=lambda a: store.keys.attendee_secret(NUMBER, a),
        attendee_known=lambda a: store.roster.get_attendee(NUMBER, a) is not None,
        replay_guard=store.keys, clock=lambda: NOW,
    )  # fmt: skip


def ticket(srv: LiveServer, attendee: str) -> str:
    """A ticket signed with the platform's current key."""
    kid, private = srv.admin.ticket_signing_key(NUMBER)
    fields = Ticket(project=NUMBER, attendee_id=attendee, key_id=kid,
                    valid_from=at(DAY1, 0), valid_to=at(DAY2, 23))  # fmt: skip
    return sign_ticket(fields, private)


def test_rotating_codes_and_tickets_verify_offline_after_the_pull(
    srv: LiveServer, tmp_path: Path
) -> None:
    _, store = enrolled(srv, tmp_path)
    srv.stop()  # from here on the kiosk is offline: everything comes from its store
    secret = srv.admin.attendee_qr_secret(NUMBER, "A2")
    code = make_rotating_code(project=NUMBER, attendee_id="A2", secret=secret, at=NOW)
    first = verify(code, context=context(store))
    assert first.accepted and first.attendee_id == "A2"
    assert verify(code, context=context(store)).reason is Reason.REPLAY
    late = make_rotating_code(
        project=NUMBER, attendee_id="A2", secret=secret, at=NOW + timedelta(seconds=30)
    )
    assert verify(late, context=context(store)).accepted  # the next slot is a new code
    forged = make_rotating_code(project=NUMBER, attendee_id="A3", secret=secret, at=NOW)
    assert verify(forged, context=context(store)).reason is Reason.BAD_MAC
    assert verify(ticket(srv, "A4"), context=context(store)).accepted
    store.close()


def test_ticket_key_rotation_reaches_the_kiosk_with_the_next_pull(
    srv: LiveServer, tmp_path: Path
) -> None:
    cfg, store = enrolled(srv, tmp_path)
    client = client_for(load_config(cfg), store)
    assert client is not None
    old_ticket = ticket(srv, "A1")
    srv.admin.rotate_ticket_key(NUMBER)
    new_ticket = ticket(srv, "A1")
    assert verify(new_ticket, context=context(store)).reason is Reason.UNKNOWN_KEY_ID
    result = pull_project(store, client, NUMBER)
    assert result.bundle_changed and result.ticket_keys == 2 and result.attendees == 0
    assert verify(new_ticket, context=context(store)).accepted
    assert verify(old_ticket, context=context(store)).accepted  # both valid during the rotation
    srv.admin.rotate_ticket_key(NUMBER, retire_old=True)
    newest = ticket(srv, "A1")
    assert pull_project(store, client, NUMBER).ticket_keys == 1
    assert verify(newest, context=context(store)).accepted
    for gone in (old_ticket, new_ticket):
        assert verify(gone, context=context(store)).reason is Reason.UNKNOWN_KEY_ID
    unchanged = pull_project(store, client, NUMBER)  # 304: nothing to apply
    assert not unchanged.bundle_changed and unchanged.pages == 1 and unchanged.attendees == 0
    assert len(store.keys.ticket_keys(NUMBER)) == 1
    client.close()
    store.close()


def test_an_interrupted_pull_resumes_from_its_stored_cursor(
    srv: LiveServer, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, "A")
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    # Enroll through a proxy that breaks every 2nd page request (a reset, then garbage).
    proxy = FaultProxy(
        ("127.0.0.1", srv.port), server_context=srv.tls.server_context(),
        upstream_context=srv.tls.client_context(),
        plan=every_nth(2, ("reset", "garbage"), path_prefix=f"/api/v1/projects/{NUMBER}/changes"),
    ).start()  # fmt: skip
    try:
        with pytest.raises(PlatformProblem) as err:
            enroll_kiosk(config, store, server_url=proxy.url, code=code, ca_bundle=srv.tls.ca_pem,
                         page_size=2)  # fmt: skip
        assert err.value.reason == "first_pull_transient" and "cme-kiosk sync" in err.value.en
        # Enrolled, project and first page stored, cursor after it: nothing half-applied.
        assert (
            store.roster.load_project(NUMBER) is not None and store.roster.roster_size(NUMBER) == 2
        )
        token = load_token(store, use_keyring=False)
        via = srv.client(url=proxy.url, token=token)
        result = pull_project(store, via, NUMBER, limit=2)  # page 2 passes, page 3 is garbage
        raise AssertionError(f"the garbage page was applied: {result}")
    except TransientError as exc:
        assert "unreadable" in str(exc)
    finally:
        proxy.stop()
    assert proxy.counts == {"reset": 1, "garbage": 1}
    assert store.roster.roster_size(NUMBER) == 4
    direct = srv.client(token=token)
    rest = pull_project(store, direct, NUMBER, limit=2)
    assert rest.attendees == 1 and not rest.bundle_changed and store.roster.roster_size(NUMBER) == 5
    # A page applied twice changes nothing: rewind the cursor and pull again.
    store.set_meta(f"platform_cursor:{NUMBER}", "0")
    again = pull_project(store, direct, NUMBER, limit=2)
    assert again.attendees == 5 and store.roster.roster_size(NUMBER) == 5
    assert [a.id for a in store.roster.attendees(NUMBER)] == ["A1", "A2", "A3", "A4", "A5"]
    store.close()


def test_desk_b_learns_desk_a_record_through_cme_kiosk_sync(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_a, store = enrolled(srv, tmp_path, "A")
    store.close()
    cfg_b, store = enrolled(srv, tmp_path, "B")
    store.close()
    person = make_roster(5)[0]
    desk_a = open_desk(load_config(cfg_a))
    out = desk_a.service.present(Credential.id_card(document=person.document), now=at(DAY1, 8, 12))
    assert out.status is Status.ACCEPTED
    desk_a.close()
    status, text, err = cli(capsys, "--config", str(cfg_a), "sync", "--push-only")
    assert status == 0, err
    assert "accepted 1" in text and "0 pending" in text and "1 synced" in text
    status, text, err = cli(capsys, "--config", str(cfg_b), "sync", "--pull-only")
    assert status == 0 and "other desks' records 1" in text, err
    desk_b = open_desk(load_config(cfg_b))
    again = desk_b.service.present(
        Credential.id_card(document=person.document), now=at(DAY1, 8, 15)
    )
    desk_b.close()
    assert again.status is Status.ALREADY
    assert "desk A" in again.message_en and "08:12" in again.message_en
    assert "A台" in again.message_zh and "08:12" in again.message_zh
    [stored] = srv.admin.stored_events(NUMBER)
    assert stored["uuid"] == out.event.uuid if out.event else False


def test_sync_command_reports_a_network_failure_and_keeps_the_records(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg, store = enrolled(srv, tmp_path)
    store.close()
    desk = open_desk(load_config(cfg))
    person = make_roster(5)[1]
    assert desk.service.present(
        Credential.id_card(document=person.document), now=at(DAY1, 8, 40)
    ).status is Status.ACCEPTED  # fmt: skip
    desk.close()
    # The configured URL wins over the enrolled one (a venue relay): here nobody listens there.
    down = tmp_path / "down.toml"
    down.write_text(cfg.read_text() + 'server_url = "https://127.0.0.1:9"\n', encoding="utf-8")
    status, text, err = cli(capsys, "--config", str(down), "sync")
    assert status == 1 and "无法连接" in err and "cannot reach the platform" in err
    assert "1 pending" in text
    status, text, err = cli(capsys, "--config", str(cfg), "sync")
    assert status == 0 and "accepted 1" in text and "0 pending" in text, err
    status, text, err = cli(capsys, "--config", str(cfg), "sync")
    assert status == 0 and "1 synced" in text
    assert len(srv.admin.stored_events(NUMBER)) == 1


def test_sync_command_on_a_kiosk_that_is_not_enrolled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path, "A")
    status, _, err = cli(capsys, "--config", str(cfg), "sync")
    assert status == 1 and "enroll" in err
    _, store = open_store(cfg)
    store.close()
    status, _, err = cli(capsys, "--config", str(cfg), "sync")
    assert status == 1 and "未注册" in err and "not enrolled" in err


def test_a_full_disk_stops_the_pull_cleanly_and_it_resumes_when_space_returns(
    srv: LiveServer, tmp_path: Path
) -> None:
    cfg, store = enrolled(srv, tmp_path)
    more = make_roster(400)[5:]
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name, unit=a.unit)
        for i, a in enumerate(more)
    ]  # fmt: skip
    import_roster(srv.admin.platform, NUMBER, rows, actor="test")
    client = client_for(load_config(cfg), store)
    assert client is not None
    # Cap the file one page above its size: the next pages cannot be stored (SQLITE_FULL).
    store.db.checkpoint()
    pages = store.db.pragma("page_count")
    store.db.pragma(f"max_page_count={pages + 1}")
    with pytest.raises(StorageUnavailable) as err:
        pull_project(store, client, NUMBER, limit=50)
    problem = explain(err.value)
    assert "存储空间不足" in problem.zh and "Storage full" in problem.en
    size = store.roster.roster_size(NUMBER)
    cursor = int(store.get_meta(f"platform_cursor:{NUMBER}") or "0")
    assert 5 <= size < 400 and cursor >= 1  # whole pages only, and the cursor after the last one
    store.db.pragma("max_page_count=1073741823")
    rest = pull_project(store, client, NUMBER, limit=50)
    assert store.roster.roster_size(NUMBER) == 400 and rest.attendees == 400 - size
    client.close()
    store.close()
