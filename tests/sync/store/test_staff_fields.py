"""Staff records' optional signed fields: old records hash as before, new ones are covered."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.core.model import CheckInEvent, Direction, Flag, Method, RecordKind
from sync import chain
from sync.store import Store
from sync.store.sqlite import _split_sql

# The hash of this record under the signed fields as they were before staff records existed
# (computed with sync/chain.py of commit 2c4ca9e): it must never change.
OLD_HASH = "bdcf9853a3fcd372061955a8d7a197acd74e28e7e1e3aa732e92f15cd2f41c3b"


def old_event() -> CheckInEvent:
    return CheckInEvent(
        uuid="0b6e4a34-2b5e-4c1e-9a57-1f2d3c4b5a69", project="2026-15-01-001", attendee_id="A17",
        direction=Direction.IN, method=Method.ID_CARD, device_id="dv-0a1b2c3d4e5f", seq=7,
        scanned_at=datetime(2026, 5, 20, 0, 31, 2, tzinfo=UTC), utc_offset_minutes=480,
        flags=frozenset({Flag.EXPIRED_DOCUMENT}),
    )  # fmt: skip


def test_a_record_without_staff_fields_hashes_exactly_as_before() -> None:
    row = chain.SignedFields.of_event(old_event(), server_offset_ms=12).row()
    assert chain.link(chain.GENESIS, row) == OLD_HASH
    assert b"kind" not in chain.canonical(row) and b"staff_id" not in chain.canonical(row)


def test_staff_fields_are_signed_when_set_and_an_altered_one_breaks_the_chain(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "kiosk.sqlite3")
    event = replace(
        old_event(), seq=1, method=Method.MANUAL, flags=frozenset(), staff_id="S3",
        note="卡片无法读取",
    )  # fmt: skip
    store.records.append_event(event)
    void = replace(
        event, uuid="9c1d7d2e-8a55-4f0b-b3a9-0d2f7e6c5b4a", kind=RecordKind.VOID,
        note="tapped twice", refers_to=event.uuid,
    )  # fmt: skip
    store.records.append_event(void)
    rows = store.records.chain_rows()
    body = chain.canonical(rows[0]).decode()
    assert '"staff_id":"S3"' in body and '"note":"卡片无法读取"' in body
    assert '"kind"' not in body  # a check-in is the default kind
    assert '"kind":"void"' in chain.canonical(rows[1]).decode()
    assert chain.verify(rows, store.device_verify_key()) == []
    stored = store.records.events()
    assert stored[1].event.kind is RecordKind.VOID and stored[1].event.refers_to == event.uuid
    assert store.records.voided(event.project) == {event.uuid}
    assert store.records.standing_events(event.project) == []

    with sqlite3.connect(tmp_path / "kiosk.sqlite3", isolation_level=None) as raw:
        raw.execute("UPDATE events SET staff_id = 'S9' WHERE seq = 1")
    problems = chain.verify(store.records.chain_rows(), store.device_verify_key())
    assert [p.seq for p in problems] == [1]
    store.close()


def test_records_of_a_store_from_before_keep_verifying_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for entry in sorted(resources.files("sync.store.migrations").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql") and int(entry.name[:4]) <= 3:
            for statement in _split_sql(entry.read_text(encoding="utf-8")):
                conn.execute(statement)
    conn.execute("PRAGMA user_version=3")
    # A record as version 3 wrote it: the twelve signed fields of then, hashed and signed.
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    old = {k: v for k, v in chain.SignedFields.of_event(
        replace(old_event(), seq=1), server_offset_ms=None).row().items()
        if k not in chain.OPTIONAL_SIGNED}  # fmt: skip
    digest = chain.link(chain.GENESIS, old)
    row = old | {"prev_hash": chain.GENESIS, "hash": digest, "signature": chain.sign(key, digest)}
    conn.execute(
        f"INSERT INTO events ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        tuple(row.values()),
    )
    conn.close()
    # Its keys do not matter here (the record is checked against `key`): make them.
    store = Store.open(path, create_keys=True)
    assert store.db.pragma("user_version") == 5  # 0004 refusal stubs, then 0005 staff records
    rows = store.records.chain_rows()
    assert rows[0]["kind"] == "checkin" and rows[0]["staff_id"] is None
    assert chain.verify(rows, key.public_key()) == []
    assert [e.event.uuid for e in store.records.events()] == [old_event().uuid]
    store.close()


def test_unset_staff_fields_stay_off_the_wire_both_ways() -> None:
    """A platform or desk from before staff records reads what a new one sends them."""
    import json

    from sync import signing
    from sync.protocol import EventRecord, ProjectBundle, RemoteEvent

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    fields = chain.SignedFields.of_event(replace(old_event(), seq=1), server_offset_ms=None).wire()
    plain = signing.signed_record(key, {k: v for k, v in fields.items()
                                        if k not in chain.OPTIONAL_SIGNED})  # fmt: skip
    body = json.loads(plain.model_dump_json())
    assert not set(body) & set(chain.OPTIONAL_SIGNED)
    staff = signing.signed_record(key, fields | {"kind": "void", "staff_id": "S1", "note": "x",
                                                 "refers_to": old_event().uuid})  # fmt: skip
    sent = json.loads(staff.model_dump_json())
    assert (sent["kind"], sent["staff_id"], "receipt" in sent) == ("void", "S1", False)
    assert signing.verify_record(EventRecord.model_validate_json(staff.model_dump_json()),
                                 key.public_key())  # fmt: skip
    pulled = RemoteEvent(
        uuid=plain.uuid, project=plain.project, attendee_id="A17", direction="in",
        method="id_card", device_id="dv-a", desk_name="A", scanned_at=plain.scanned_at,
        utc_offset_minutes=480, server_offset_ms=None, received_at=datetime.now(UTC), flags=[],
        conflict=False,
    )  # fmt: skip
    assert "kind" not in json.loads(pulled.model_dump_json())
    bundle = ProjectBundle(project={}, ticket_keys=[], denied_hmac_key="A" * 43 + "=")
    assert "staff" not in json.loads(bundle.model_dump_json())


def test_the_outbox_wire_form_is_the_signed_fields_wire_form() -> None:
    """chain.event_wire (the outbox's fast path) gives exactly SignedFields.of_event(...).wire()."""
    flagged = replace(old_event(), flags=frozenset({Flag.OUT_WITHOUT_IN, Flag.EXPIRED_DOCUMENT}))
    staff = replace(flagged, kind=RecordKind.VOID, staff_id="S1", note="误刷", refers_to="u-1")
    for event in (old_event(), replace(old_event(), flags=frozenset()), flagged, staff):
        for offset in (None, -250):
            want = chain.SignedFields.of_event(event, server_offset_ms=offset).wire()
            got = chain.event_wire(event, server_offset_ms=offset)
            assert got == want and list(got) == list(want)
    assert chain.event_wire(flagged, server_offset_ms=None)["flags"] == sorted(
        [Flag.OUT_WITHOUT_IN.value, Flag.EXPIRED_DOCUMENT.value]
    )
