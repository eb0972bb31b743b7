"""The relay's background forwarding (backoff while the uplink is down) and its commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.services.checkin import Credential, Status
from sync import signing
from sync.client import PermanentError, SyncClient, TransientError
from sync.server.admin import ServerAdmin
from sync.server.relay import LinkResult, RelayForwarder
from sync.server.relay.status import relay_status
from tests.support.cli import run_cli as _run
from tests.support.desks import WireDesk, seed_platform
from tests.support.env import free_port
from tests.support.live_server import LiveServer, start_live_server
from tests.support.relay_venue import NUMBER, PEOPLE, Venue
from tests.support.roster import DAY1, FakeClock, at, make_project
from tests.support.tls import TlsFiles

pytestmark = pytest.mark.timeout(120)


def wait_for(check: Callable[[], bool], *, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_backoff_grows_with_jitter_is_capped_and_honours_retry_after() -> None:
    fwd = RelayForwarder.__new__(RelayForwarder)
    fwd.failures = 0
    down = [LinkResult("p", error="network: ConnectError")]
    kw = {"interval": 10.0, "base": 1.0, "cap": 60.0}
    top = [fwd.next_delay(down, rng=lambda: 1.0, **kw) for _ in range(8)]
    assert top == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    fwd.failures = 3
    assert fwd.next_delay(down, rng=lambda: 0.0, **kw) == 4.0  # jitter: half to all of the step
    hinted = [LinkResult("p", error="busy", retry_after=45.0)]
    fwd.failures = 0
    assert fwd.next_delay(hinted, rng=lambda: 0.0, **kw) == 45.0
    assert fwd.next_delay([LinkResult("p")], rng=lambda: 0.0, **kw) == 10.0
    assert fwd.failures == 0


def test_background_forwarding_backs_off_while_down_and_delivers_when_up(
    venue: Venue,
) -> None:
    clock = FakeClock(at(DAY1, 8, 10))
    a = venue.kiosk("A", clock)
    venue.upstream_down()
    assert a.service.present(Credential.id_card(document=PEOPLE[0].document)).status is (
        Status.ACCEPTED
    )
    a.sync()
    thread, stop = venue.forwarder.start(interval=0.1, base=0.05, cap=0.4)
    try:
        wait_for(lambda: venue.forwarder.failures >= 3)
        assert relay_status(venue.relay.admin.db)[0]["last_error"].startswith("network")
        assert venue.relay.alive  # the venue keeps working
        venue.upstream_up()
        wait_for(lambda: len(venue.upstream.admin.stored_events(NUMBER)) == 1)
        wait_for(lambda: venue.forwarder.failures == 0)
        status = relay_status(venue.relay.admin.db)[0]
        assert status["pending_events"] == 0 and status["last_error"] == ""
        assert status["answered"] == {"event accepted": 1}
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


@pytest.fixture
def upstream(tls: TlsFiles, tmp_path: Path) -> LiveServer:
    server = start_live_server(f"sqlite:///{tmp_path / 'up.sqlite3'}", tls, backend="sqlite")
    server.clock.set(at(DAY1, 7))
    seed_platform(server, make_project(), roster_size=5)
    yield server  # type: ignore[misc]
    server.stop()


def test_relay_commands_enroll_status_sync_and_run(
    upstream: LiveServer, tls: TlsFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    relay_db = str(tmp_path / "relay.sqlite3")
    up_db = upstream.db_url
    code, out, _ = _run(capsys, "server", "enroll-code", NUMBER, "--db", up_db)
    desk_code = out.strip()
    got, _, err = _run(
        capsys, "server", "relay", "enroll", "--db", relay_db, "--upstream", upstream.url,
        "--code", desk_code, "--ca-bundle", str(tls.ca_pem),
    )  # fmt: skip
    assert got == 1 and "not a relay" in err and "--relay" in err
    # The desk the wrong code created upstream would block the submission: retire it there.
    stray = re.search(r"\((dv-[0-9a-f]+)\)", err)
    assert stray is not None
    got, _, _ = _run(capsys, "server", "device", "retire", stray.group(1), "--db", up_db,
                     "--reason", "relay enrolled with a desk code by mistake")  # fmt: skip
    assert got == 0
    code, out, _ = _run(capsys, "server", "enroll-code", NUMBER, "--relay", "--db", up_db)
    assert code == 0
    got, out, err = _run(
        capsys, "server", "relay", "enroll", "--db", relay_db, "--upstream", upstream.url,
        "--code", out.strip(), "--ca-bundle", str(tls.ca_pem), "--name", "hall",
    )  # fmt: skip
    assert got == 0, err
    assert f"for project {NUMBER}" in out and "5 roster entr(ies)" in out
    link = RelayForwarder(ServerAdmin(relay_db).db).links()[0]

    got, out, err = _run(capsys, "server", "relay", "status", "--db", relay_db)
    assert got == 0 and f"project {NUMBER} → {upstream.url} as {link.device_id}" in out
    assert "waiting: 0 record(s)" in out
    got, js, _ = _run(capsys, "server", "relay", "status", "--db", relay_db, "--json")
    assert got == 0 and link.token not in out + err + js  # the relay's token is never shown
    got, out, _ = _run(capsys, "server", "relay", "sync", "--db", relay_db)
    assert got == 0 and f"{NUMBER}: roster 0, registered 0, nothing new" in out
    # The venue's desks enroll at the relay with codes the platform issued (offline too).
    got, out, _ = _run(capsys, "server", "enroll-code", NUMBER, "--venue", "--db", up_db)
    assert got == 0
    kiosk_code = out.strip()
    got, _, err = _run(capsys, "server", "enroll-code", NUMBER, "--db", relay_db)
    assert got == 1 and "--venue" in err  # the relay issues no codes of its own

    # `server run --relay`: a desk at the venue uploads to the relay; the record reaches upstream.
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "server", "run", "--relay", "--db", relay_db,
         "--cert", str(tls.cert_pem), "--key", str(tls.key_pem), "--port", str(port),
         "--relay-interval", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )  # fmt: skip
    try:
        url = f"https://127.0.0.1:{port}"
        key = signing.new_private_key()
        client = SyncClient(url, ca_bundle=tls.ca_pem)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.negotiate()
                break
            except TransientError:  # not listening yet
                assert proc.poll() is None and time.monotonic() < deadline, "relay did not start"
                time.sleep(0.1)
        while True:  # the relay carries the venue code from its next pass on
            try:
                enrollment = client.enroll(kiosk_code, public_key=signing.public_b64(key),
                                           desk_name="A")  # fmt: skip
                break
            except PermanentError as exc:
                assert exc.reason == "invalid_code" and time.monotonic() < deadline + 20
                time.sleep(0.2)
        desk = WireDesk(client, key, enrollment)
        assert desk.upload(desk.record("A2", at=at(DAY1, 8, 5)))[0].status == "accepted"
        desk.client.device_status(1)
        wait_for(lambda: len(upstream.admin.stored_events(NUMBER)) == 1)
        row = upstream.admin.stored_events(NUMBER)[0]
        assert row["device_id"] == enrollment.device_id and row["attendee_id"] == "A2"
        wait_for(lambda: any(d.complete for d in upstream.admin.status(NUMBER).desks))
        client.close()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=15)[0]
    assert "relaying 2026-15-01-001 upstream" in output
    assert link.token not in output
    got, out, _ = _run(capsys, "server", "status", NUMBER, "--db", up_db)
    assert got == 0 and "all desks complete" in out
    assert f"hall       {link.device_id:<16} relay     venue relay, active" in out
    assert f"A          {enrollment.device_id:<16} desk      complete (up to seq 1)" in out
    got, out, _ = _run(capsys, "server", "relay", "status", "--db", relay_db)
    assert f"desk A          {enrollment.device_id:<16} active, upstream active" in out
    assert "answered upstream: event accepted 1" in out and link.token not in out


def test_run_relay_needs_an_enrollment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got, _, err = _run(capsys, "server", "run", "--relay", "--db", str(tmp_path / "r.sqlite3"))
    assert got == 1 and "server relay enroll" in err
    got, out, _ = _run(capsys, "server", "relay", "status", "--db", str(tmp_path / "r.sqlite3"))
    assert got == 0 and "not a relay" in out
