"""`cme-kiosk enroll` against the live TLS server: identity, token at rest, the first full pull."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.config import load_config
from kiosk.core.timeutil import utc_now
from kiosk.services import platform_state
from kiosk.services.checkin import Credential
from kiosk.services.opening import open_desk
from kiosk.services.platform import PlatformProblem, enroll_kiosk, read_state
from kiosk.services.platform_state import TOKEN_FILE, key_dir, load_token
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, cli, enroll_cli, open_store, write_config
from tests.support.roster import DAY1, at, make_project, make_roster

pytestmark = pytest.mark.timeout(90)


def public_of(private: bytes) -> bytes:
    """The raw Ed25519 public key of a raw private key."""
    key = Ed25519PrivateKey.from_private_bytes(private).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_enroll_through_the_cli_saves_identity_and_token_and_pulls_everything(
    srv: LiveServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    cfg = write_config(tmp_path, "A")
    status, out, err = enroll_cli(capsys, srv, cfg)
    assert status == 0, err
    assert "enrolled" in out and NUMBER in out and "roster 5" in out

    config, store = open_store(cfg)
    state = read_state(store)
    [desk] = srv.admin.devices(NUMBER)
    assert state.device_id == desk.device_id and store.get_meta("device_id") == desk.device_id
    assert state.project == NUMBER and state.server_url == srv.url and state.role == "desk"
    assert state.ca_bundle == srv.tls.ca_pem.resolve() and state.desk_name == "A"

    # The token: a 0600 file in the 0700 key directory, nowhere in the logs, output or database.
    token_file = key_dir(store) / TOKEN_FILE
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir(store).stat().st_mode) == 0o700
    token = load_token(store, use_keyring=False)
    assert token and len(token) >= 43
    assert token not in caplog.text and token not in out and token not in err
    store.close()
    for part in config.data_dir.glob("kiosk.sqlite3*"):
        assert token.encode() not in part.read_bytes()

    _, store = open_store(cfg)
    assert store.roster.load_project(NUMBER) == make_project()
    people = make_roster(5)
    assert store.roster.roster_size(NUMBER) == 5
    for i, person in enumerate(people, start=1):
        found = store.roster.find_by_document(NUMBER, person.document.number)
        assert found is not None and found.id == f"A{i}" and found.name == person.name
        assert store.keys.attendee_secret(NUMBER, f"A{i}") == srv.admin.attendee_qr_secret(
            NUMBER, f"A{i}"
        )
    assert store.roster.find_by_card_uid(NUMBER, "0713233758") is not None
    kid, private = srv.admin.ticket_signing_key(NUMBER)
    assert store.keys.ticket_keys(NUMBER) == {kid: public_of(private)}
    assert store.keys.denied_key(NUMBER) == srv.admin.denied_hmac_key(NUMBER)
    # `status` sees the enrollment.
    store.close()
    status, out, _ = cli(capsys, "--config", str(cfg), "status")
    assert status == 0 and desk.device_id in out


def test_re_enrollment_is_refused_unless_forced(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The server on real time: the learned offset is ~0, so day-1 scans stay on the project's days.
    srv.clock.set(utc_now())
    cfg = write_config(tmp_path, "A")
    assert enroll_cli(capsys, srv, cfg)[0] == 0
    _, store = open_store(cfg)
    first_id, first_token = read_state(store).device_id, load_token(store, use_keyring=False)
    store.close()

    status, _, err = enroll_cli(capsys, srv, cfg)
    assert status == 1 and "already enrolled" in err and "已注册" in err and "--force" in err
    assert len(srv.admin.devices(NUMBER)) == 1

    # A record made under the old identity is uploaded with it before the identity changes.
    desk = open_desk(load_config(cfg))
    person = make_roster(5)[0]
    old = desk.service.present(Credential.id_card(document=person.document), now=at(DAY1, 8, 1))
    assert old.event is not None
    desk.close()
    status, out, err = enroll_cli(capsys, srv, cfg, "--force")
    assert status == 0, err
    assert "still unsent" not in out
    [stored] = srv.admin.stored_events(NUMBER)
    assert stored["uuid"] == old.event.uuid and stored["device_id"] == first_id
    _, store = open_store(cfg)
    state = read_state(store)
    assert state.device_id != first_id and len(srv.admin.devices(NUMBER)) == 2
    token = load_token(store, use_keyring=False)
    assert token and token != first_token
    assert stat.S_IMODE((key_dir(store) / TOKEN_FILE).stat().st_mode) == 0o600
    assert store.roster.roster_size(NUMBER) == 5  # the forced enrollment pulled again from scratch
    assert store.outbox.pending_count() == 0
    store.close()
    # The new identity carries on the same sequence: its first record is accepted.
    desk = open_desk(load_config(cfg))
    other = make_roster(5)[1]
    new = desk.service.present(Credential.id_card(document=other.document), now=at(DAY1, 8, 2))
    assert new.event is not None and new.event.seq == 2 and new.event.device_id == state.device_id
    desk.close()
    status, out, err = cli(capsys, "--config", str(cfg), "sync", "--push-only")
    assert status == 0 and "accepted 1" in out, (err, store_dead(cfg))
    assert len(srv.admin.stored_events(NUMBER)) == 2, store_dead(cfg)


def test_enrollment_failures_say_what_to_do_in_both_languages(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path, "A")
    code, _ = srv.admin.enroll_code(NUMBER)
    base = ["--config", str(cfg), "enroll", "--server", srv.url, "--ca-bundle", str(srv.tls.ca_pem)]
    assert cli(capsys, *base, "--code", code)[0] == 0
    cfg_b = write_config(tmp_path, "B")
    base_b = ["--config", str(cfg_b), "enroll", "--server", srv.url]
    status, _, err = cli(capsys, *base_b, "--ca-bundle", str(srv.tls.ca_pem), "--code", code)
    assert status == 1 and "already used" in err and "已被使用" in err
    # Without the test CA the certificate is not trusted: no insecure fallback, a clear line.
    fresh, _ = srv.admin.enroll_code(NUMBER)
    status, _, err = cli(capsys, *base_b, "--code", fresh)
    assert status == 1 and "not trusted" in err and "证书" in err
    # Nobody listening: a network failure, not a traceback.
    status, _, err = cli(capsys, "--config", str(cfg_b), "enroll", "--server",
                         "https://127.0.0.1:9", "--code", fresh)  # fmt: skip
    assert status == 1 and "cannot reach the platform" in err and "无法连接" in err
    status, _, err = cli(capsys, "--config", str(cfg_b), "enroll", "--server",
                         "http://127.0.0.1:9", "--code", fresh)  # fmt: skip
    assert status == 1 and "https://" in err
    # The code was not spent by the failures: it still enrolls desk B.
    assert cli(capsys, *base_b, "--ca-bundle", str(srv.tls.ca_pem), "--code", fresh)[0] == 0


def test_enroll_kiosk_records_seq_start_after_local_records(
    srv: LiveServer, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, "A")
    config, store = open_store(cfg)
    with pytest.raises(PlatformProblem) as err:
        enroll_kiosk(config, store, server_url=srv.url, code="AAAA-BBBB-CCCC",
                     ca_bundle=srv.tls.ca_pem)  # fmt: skip
    assert err.value.reason == "invalid_code" and not read_state(store).enrolled
    code, _ = srv.admin.enroll_code(NUMBER)
    done = enroll_kiosk(config, store, server_url=srv.url, code=code, ca_bundle=srv.tls.ca_pem)
    assert done.pulled.attendees == 5 and done.pulled.secrets == 5 and done.pulled.bundle_changed
    assert done.token_store.endswith(TOKEN_FILE) and done.pending_before == 0
    [desk] = srv.admin.devices(NUMBER)
    assert desk.highest_contiguous == store.records.last_seq() == 0
    store.close()


def test_keyring_setting_without_a_usable_keyring_keeps_the_token_in_the_0600_file(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Headless kiosks have no keyring backend: the file is the fallback.
    if platform_state._keyring() is not None:
        pytest.skip("this machine has a usable keyring backend")
    cfg = write_config(tmp_path, "A", extra='[privacy]\nkey_store = "keyring"\n')
    status, out, err = enroll_cli(capsys, srv, cfg)
    assert status == 0, err
    _, store = open_store(cfg)
    token_file = key_dir(store) / TOKEN_FILE
    assert f"kept in {token_file}" in out
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = load_token(store, use_keyring=True)
    assert token and token not in out
    store.close()


def store_dead(cfg: Path) -> list[dict[str, object]]:
    """The kiosk's dead letters (for failure messages)."""
    _, store = open_store(cfg)
    try:
        return store.outbox.dead_letters()
    finally:
        store.close()


def test_enroll_and_sync_as_real_processes(srv: LiveServer, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "A")
    code, _ = srv.admin.enroll_code(NUMBER)
    base = [sys.executable, "-m", "kiosk", "--config", str(cfg)]
    done = subprocess.run(
        [*base, "enroll", "--server", srv.url, "--code", code, "--ca-bundle", str(srv.tls.ca_pem)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "enrolled" in done.stdout and "roster 5" in done.stdout
    synced = subprocess.run(
        [*base, "sync"], capture_output=True, text=True, timeout=60, check=False
    )
    assert synced.returncode == 0, synced.stderr
    assert "project unchanged" in synced.stdout and "0 pending" in synced.stdout
    token = (tmp_path / "kiosk-A" / "keys" / TOKEN_FILE).read_text()
    assert token not in done.stdout + done.stderr + synced.stdout + synced.stderr
