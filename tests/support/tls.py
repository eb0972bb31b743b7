"""A test certificate authority (trustme) and a server certificate for 127.0.0.1/localhost."""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of a CA and a server certificate it issued, plus the cert's SHA-256 pin."""

    ca: trustme.CA
    ca_pem: Path
    cert_pem: Path  # the server certificate chain
    key_pem: Path
    cert_sha256: str  # hex SHA-256 of the server certificate's DER

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting the certificate (for the fault proxy)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_pem, self.key_pem)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this CA."""
        ctx = ssl.create_default_context(cafile=str(self.ca_pem))
        return ctx


def make_tls(directory: Path, *names: str) -> TlsFiles:
    """Create a CA and a leaf certificate for the names (default 127.0.0.1 and localhost)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    leaf = ca.issue_cert(*(names or ("127.0.0.1", "localhost")))
    ca_pem = directory / "ca.pem"
    cert_pem = directory / "server.pem"
    key_pem = directory / "server.key"
    ca.cert_pem.write_to_path(str(ca_pem))
    leaf.private_key_pem.write_to_path(str(key_pem))
    with cert_pem.open("wb") as f:
        for blob in leaf.cert_chain_pems:
            f.write(blob.bytes())
    der = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    return TlsFiles(ca, ca_pem, cert_pem, key_pem, hashlib.sha256(der).hexdigest())


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsFiles]:
    """One CA and server certificate for the whole test session."""
    yield make_tls(tmp_path_factory.mktemp("tls"))
