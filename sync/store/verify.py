"""`cme-kiosk verify`: a kiosk database checked read-only against its chain and witnessed heads.

Nothing here writes: the database is opened read-only, no key is created, and a missing key or
checkpoint is a finding that names the file, not something made up on the spot. The chain
(sync.chain.verify) proves each row; the signed checkpoint beside the database (sync.store.head)
and the platform's last signed head prove the end: records cut from the tail, all of them
included, show as a missing seq range.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sync import chain
from sync.store.head import HeadFileError, head_path, read_head

DEVICE_KEY_FILE = "device-ed25519.key"


class VerifyError(Exception):
    """The database cannot be verified at all; the message says what is missing."""


@dataclass(slots=True)
class Verdict:
    """What `verify` found: the problems (none means intact) and what it compared."""

    rows: int
    last_seq: int
    checkpoint: chain.SignedHead | None
    problems: list[chain.ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """No problem at all."""
        return not self.problems


def device_key_path(db: Path) -> Path:
    """Where the device key of a kiosk database lives (keys/ beside it)."""
    return db.parent / "keys" / DEVICE_KEY_FILE


def device_public_key(db: Path) -> Ed25519PublicKey:
    """The public half of the device key beside the database; VerifyError if there is none."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = device_key_path(db)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VerifyError(
            f"no device key at {path} (a copy without its keys/ folder?): pass --public-key"
            " with the key the platform registered (`cme-kiosk server device list --json`)"
        ) from None
    except OSError as exc:
        raise VerifyError(f"cannot read the device key {path}: {exc.strerror or exc}") from None
    if len(raw) != 32:
        raise VerifyError(f"{path} is not a device key (32 bytes expected, found {len(raw)})")
    return Ed25519PrivateKey.from_private_bytes(raw).public_key()


def read_rows(db: Path) -> tuple[list[dict[str, object]], dict[str, str]]:
    """Every record row in seq order and the meta table, read-only; VerifyError if unreadable."""
    if db.is_dir():
        raise VerifyError(f"{db} is a folder: give the kiosk database file (kiosk.sqlite3)")
    if not db.exists():
        raise VerifyError(f"no database at {db}")
    # A copy at rest (no -wal beside it) opens immutable: SQLite then creates no -wal or -shm
    # file either. A live database's write-ahead log must be read, so it opens read-only.
    live = Path(f"{db}-wal").exists()
    mode = "mode=ro" if live else "immutable=1"
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error as exc:
        raise VerifyError(f"cannot open {db}: {exc}") from None
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
        meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}
    except sqlite3.Error as exc:
        raise VerifyError(f"cannot read {db} as a kiosk database: {exc}") from None
    finally:
        conn.close()
    return rows, meta


def _missing(after: int, upto: int, why: str) -> chain.ChainProblem:
    span = f"record {upto}" if after + 1 == upto else f"records {after + 1}–{upto}"
    return chain.ChainProblem(after + 1, f"{span} missing after the last row ({why})")


def _matches(rows: list[dict[str, object]], seq: int, digest: str) -> bool:
    return any(int(str(r["seq"])) == seq and r["hash"] == digest for r in rows)


def verify_database(
    db: Path, public_key: Ed25519PublicKey, *, platform_head: chain.SignedHead | None = None
) -> Verdict:
    """Check the chain, the checkpoint beside the database and (given) the platform's head."""
    rows, _ = read_rows(db)
    last = int(str(rows[-1]["seq"])) if rows else 0
    problems = chain.verify(rows, public_key)
    where = head_path(db)
    try:
        checkpoint = read_head(where)
    except HeadFileError as exc:
        checkpoint = None
        problems.append(chain.ChainProblem(last, str(exc)))
    else:
        if checkpoint is None and rows:
            problems.append(chain.ChainProblem(
                last, f"no signed checkpoint at {where}: records cut from the end cannot be"
                " ruled out (copy it with the database)",
            ))  # fmt: skip
    if checkpoint is not None:
        if not chain.verify_head(public_key, checkpoint):
            problems.append(chain.ChainProblem(
                checkpoint.seq, "the checkpoint is not signed by this device key",
            ))  # fmt: skip
        elif checkpoint.seq > last:
            why = f"the signed checkpoint says the log reached {checkpoint.seq}"
            problems.append(_missing(last, checkpoint.seq, why))
        elif not _matches(rows, checkpoint.seq, checkpoint.hash):
            problems.append(chain.ChainProblem(
                checkpoint.seq, "the signed checkpoint does not match this record (log replaced)",
            ))  # fmt: skip
    if platform_head is not None:
        known = max(last, checkpoint.seq if checkpoint else 0)
        if not chain.verify_head(public_key, platform_head):
            problems.append(chain.ChainProblem(
                platform_head.seq, "the platform's head is not signed by this device key",
            ))  # fmt: skip
        elif platform_head.seq > known:
            why = f"the platform holds this device's signed head at {platform_head.seq}"
            problems.append(_missing(last, platform_head.seq, why))
        elif platform_head.seq <= last and not _matches(rows, platform_head.seq,
                                                        platform_head.hash):  # fmt: skip
            problems.append(chain.ChainProblem(
                platform_head.seq, "differs from the record the platform witnessed at this seq",
            ))  # fmt: skip
    return Verdict(rows=len(rows), last_seq=last, checkpoint=checkpoint, problems=problems)
