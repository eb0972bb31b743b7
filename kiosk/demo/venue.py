"""The demo's platform: the reference server on loopback over TLS with a CA made for the run."""

from __future__ import annotations

import csv
import ipaddress
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from kiosk.core.codes import Ticket, make_rotating_code, sign_ticket
from kiosk.core.model import Attendee, Project
from sync.server.admin import ServerAdmin
from sync.server.app import create_app
from sync.server.run import Background, make_server, serve_in_background

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoTls:
    """A CA for this run only, and the loopback certificate it issued."""

    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


_CA_USAGE = x509.KeyUsage(
    digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
    key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
    decipher_only=False,
)  # fmt: skip


def make_demo_tls(directory: Path) -> DemoTls:
    """A throwaway CA and a certificate for 127.0.0.1 (the client never turns verification off)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cme-kiosk demo CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    tls = DemoTls(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    tls.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    _write_private(
        tls.key_pem,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    return tls


def write_roster_csv(path: Path, roster: list[Attendee]) -> None:
    """The roster in the platform's import format (docs/protocol.md lists the columns)."""
    columns = ["id_type", "id_number", "name", "unit", "department", "title", "role", "card_uid"]
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for a in roster:
            out.writerow([
                a.document.type.value, a.document.number, a.name, a.unit, a.department,
                a.title_series, a.role.value, ";".join(a.card_uids),
            ])  # fmt: skip


@dataclass
class Venue:
    """The running platform: its URL, CA, administration, and the demo project on it."""

    url: str
    tls: DemoTls
    admin: ServerAdmin
    project: Project
    _served: Background | None

    @property
    def port(self) -> int:
        """The loopback port the desks were given (kept across a restart)."""
        return int(self.url.rsplit(":", 1)[1])

    @property
    def serving(self) -> bool:
        """Whether the platform answers now."""
        return self._served is not None

    def stop_serving(self) -> None:
        """The outage: the platform stops answering; its database stays as it was."""
        if self._served is not None:
            self._served.stop()
            self._served = None
            log.info("demo platform stopped")

    def serve_again(self, *, timeout: float = 15.0) -> None:
        """The platform back on the same address, on the same database."""
        if self._served is None:
            app = create_app(self.admin.db)
            self._served = _serve_on(app, self.tls, port=self.port, timeout=timeout)
            log.info("demo platform serving again on %s", self.url)

    def enrollment_code(self) -> str:
        """A one-time code for a desk of the demo project."""
        code, _ = self.admin.enroll_code(self.project.number)
        return code

    def ref(self, id_number: str) -> str:
        """The platform's attendee reference of a roster entry."""
        return self.admin.attendee_ref(self.project.number, id_number)

    def ticket(self, id_number: str, *, now: datetime) -> str:
        """A ticket the platform signs for the attendee, valid for the project's day."""
        key_id, private = self.admin.ticket_signing_key(self.project.number)
        valid = Ticket(self.project.number, self.ref(id_number), key_id, now - timedelta(hours=12),
                       now + timedelta(hours=36))  # fmt: skip
        return sign_ticket(valid, private)

    def rotating_code(self, id_number: str, *, now: datetime) -> str:
        """What the attendee's phone shows right now."""
        ref = self.ref(id_number)
        secret = self.admin.attendee_qr_secret(self.project.number, ref)
        return make_rotating_code(
            project=self.project.number, attendee_id=ref, secret=secret, at=now
        )

    def stop(self) -> None:
        """Stop serving and release the database."""
        self.stop_serving()
        self.admin.close()


def _serve_on(app: FastAPI, tls: DemoTls, *, port: int, timeout: float) -> Background:
    """Serve on a given loopback port (the one the desks know), retrying while it is released."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            break
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"port {port} did not come free for the platform") from None
            time.sleep(0.2)
    server = make_server(app, port=port, cert=tls.cert_pem, key=tls.key_pem,
                         log_level="warning", access_log=False)  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="demo-platform", daemon=True)  # fmt: skip
    thread.start()
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the demo platform did not start again")
        time.sleep(0.01)
    return Background(server, thread, port)


def start_venue(root: Path, *, project: Project, roster: list[Attendee]) -> Venue:
    """Create the platform database with the project and roster, then serve it on loopback.

    The platform keeps real time, as the desk's sync does (it learns the platform's clock
    offset from it); only the desk's check-in clock walks through the demo day.
    """
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    tls = make_demo_tls(root / "tls")
    admin = ServerAdmin(f"sqlite:///{(root / 'server.sqlite3').resolve()}")
    admin.create_project(project)
    roster_file = root / "roster.csv"
    write_roster_csv(roster_file, roster)
    admin.import_roster(project.number, roster_file)
    app = create_app(admin.db)
    try:
        served = serve_in_background(app, cert=tls.cert_pem, key=tls.key_pem, name="demo-platform")
    except RuntimeError:
        admin.close()
        raise
    log.info("demo platform serving on https://127.0.0.1:%d", served.port)
    return Venue(f"https://127.0.0.1:{served.port}", tls, admin, project, served)
