"""A venue for relay tests: an upstream platform, a relay enrolled with it, and its kiosks.

Both are `cme-kiosk server` apps under uvicorn over loopback TLS; the kiosks are the real store,
check-in service, outbox and client. The `venue` fixture (tests/sync/server/relay/conftest.py)
builds one per database backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.services.checkin import Credential, Status
from sync.server.admin import ServerAdmin
from sync.server.app import create_app
from sync.server.relay import RelayForwarder
from sync.server.run import bound_socket, serve_in_background
from tests.support.desks import WireDesk, enroll
from tests.support.kiosks import Kiosk, make_kiosk
from tests.support.live_server import LiveServer, MovableClock
from tests.support.roster import FakeClock, make_project, make_roster
from tests.support.tls import TlsFiles

NUMBER = "2026-15-01-001"
PEOPLE = make_roster(5)


def serve(
    db_url: str, tls: TlsFiles, *, port: int, clock: MovableClock, backend: str
) -> LiveServer:
    """The platform app under uvicorn on a given loopback port (so it can come back there)."""
    admin = ServerAdmin(db_url, clock=clock)
    served = serve_in_background(
        create_app(admin.db, clock=clock), cert=tls.cert_pem, key=tls.key_pem, name="upstream",
        sock=bound_socket(port=port),
    )  # fmt: skip
    return LiveServer(
        url=f"https://127.0.0.1:{port}", db_url=db_url, backend=backend, tls=tls, clock=clock,
        admin=admin, port=port, _served=served,
    )  # fmt: skip


@dataclass
class Venue:
    """An upstream platform, a relay enrolled with it, and how to take the uplink down."""

    upstream: LiveServer
    relay: LiveServer
    forwarder: RelayForwarder
    tls: TlsFiles
    tmp: Path

    def upstream_down(self) -> None:
        self.upstream.stop()

    def upstream_up(self) -> None:
        old = self.upstream
        self.upstream = serve(old.db_url, self.tls, port=old.port, clock=old.clock,
                              backend=old.backend)  # fmt: skip

    def venue_code(self) -> str:
        """A venue desk code issued upstream, carried to the relay (as every pass does)."""
        code, _ = self.upstream.admin.enroll_code(NUMBER, venue=True)
        assert self.forwarder.fetch_codes(self.forwarder.links()[0]) == 1
        return code

    def kiosk(self, name: str, clock: FakeClock, *, code: str | None = None) -> Kiosk:
        """A real kiosk enrolled at the relay with a venue code (a new one unless given)."""
        # The kiosk's client shares its clock, so the offset it learns is the relay's clock
        # against the kiosk's (the store chains prev_hash itself: no lookup needed).
        client = self.relay.client(clock=clock)
        return make_kiosk(self.tmp, self.relay, make_project(), name, clock=clock, client=client,
                          code=code or self.venue_code())  # fmt: skip

    def desk(self, name: str) -> WireDesk:
        """A protocol-level desk enrolled at the relay with a venue code."""
        return enroll(self.relay, NUMBER, name, code=self.venue_code())


def present(k: Kiosk, i: int) -> Status:
    return k.service.present(Credential.id_card(document=PEOPLE[i].document)).status
