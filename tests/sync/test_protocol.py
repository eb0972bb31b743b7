"""Wire models, the signed canonical form, keys and HMACs, TLS settings: no server needed."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.core.model import DeskMode, Method, new_uuid
from kiosk.services.checkin import CheckInService, Credential
from sync import chain, signing
from sync.client import PermanentError, SyncClient, event_record
from sync.client.http import retry_after, tls_context
from sync.protocol import DeniedRecord, EventBatch, EventRecord, ExecutionReport, WireAttendee, b64
from sync.store import Store
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster


def fields(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "uuid": new_uuid(), "seq": 1, "project": "P1", "attendee_id": "A1", "direction": "in",
        "method": "qr", "device_id": "dv-1", "scanned_at": "2026-05-20T00:30:00+00:00",
        "utc_offset_minutes": 480, "server_offset_ms": 1200, "evidence_ref": None,
        "flags": ["expired_document"],
    }  # fmt: skip
    base.update(over)
    return base


def test_canonical_form_is_sorted_compact_utf8_over_the_field_list() -> None:
    rec = signing.signed_record(signing.new_private_key(), fields(attendee_id="张三"))
    raw = signing.canonical(signing.chain_row(rec))
    assert raw.decode("utf-8").startswith('{"attendee_id":"张三","device_id":"dv-1"')
    assert b" " not in raw.replace(b'"[\\"expired_document\\"]"', b"")
    assert set(json.loads(raw)) == set(signing.SIGNED_FIELDS)


def test_signature_verifies_and_any_change_or_other_key_fails() -> None:
    key = signing.new_private_key()
    rec = signing.signed_record(key, fields())
    pub = key.public_key()
    assert signing.verify_record(rec, pub)
    for change in ({"attendee_id": "A2"}, {"seq": 2}, {"scanned_at": "2026-05-20T00:31:00+00:00"},
                   {"flags": []}, {"server_offset_ms": None}, {"prev_hash": "1" * 64}):  # fmt: skip
        assert not signing.verify_record(rec.model_copy(update=change), pub), change
    other = signing.new_private_key()
    assert not signing.verify_record(rec, other.public_key())
    resigned = signing.signed_record(
        other, rec.model_dump(exclude={"prev_hash", "hash", "signature"})
    )
    assert signing.verify_record(resigned, other.public_key())
    assert not signing.verify_record(resigned, pub)


def test_the_kiosk_store_signature_is_what_the_platform_verifies(tmp_path: Path) -> None:
    """A record as the store chains and signs it travels and verifies with the device key."""
    store = Store.open(tmp_path / "k.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(3)
    store.roster.save_roster(project.number, people)
    store.set_meta("server_offset_ms", "-1500")
    clock = FakeClock(at(DAY1, 8))
    svc = CheckInService(store=store, project=project, device_id="dv-x", desk_name="A",
                         mode=DeskMode.AUTO, clock=clock)  # fmt: skip
    for p in people:
        clock.advance(minutes=1)
        svc.present(Credential.id_card(document=p.document))
    rows = {r["seq"]: r for r in store.records.chain_rows()}
    pub = signing.public_from_b64(store.device_public_key())
    for stored in store.outbox.pending_events():
        prev = str(rows[stored.event.seq]["prev_hash"])
        rec = event_record(stored, prev_hash=prev)
        assert signing.verify_record(rec, pub)
        assert rec.server_offset_ms == -1500
    assert chain.verify(store.records.chain_rows(), pub) == []


def test_models_refuse_unknown_fields_wrong_types_and_bad_values() -> None:
    good = signing.signed_record(signing.new_private_key(), fields()).model_dump()
    EventBatch.model_validate_json(json.dumps({"records": [good]}))
    bad_cases = [
        {**good, "extra": 1},
        {**good, "seq": "1"},
        {**good, "seq": 0},
        {**good, "seq": True},
        {**good, "uuid": "not-a-uuid"},
        {**good, "scanned_at": "2026-05-20T08:30:00"},  # no UTC offset
        {**good, "direction": "sideways"},
        {**good, "flags": ["made_up"]},
        {**good, "signature": "AAAA"},
    ]
    for bad in bad_cases:
        with pytest.raises(ValidationError):
            EventBatch.model_validate_json(json.dumps({"records": [bad]}))
    with pytest.raises(ValidationError):
        EventBatch.model_validate_json(json.dumps({"records": [good] * 501}))
    with pytest.raises(ValidationError):
        EventBatch.model_validate_json(json.dumps({"records": []}))


def test_report_schema_takes_decimal_hours_and_refuses_nonsense() -> None:
    line = {"attendee_id": "A1", "role": "participant", "hours": "6.50", "assessment": "passed",
            "credits": 2}  # fmt: skip
    report = ExecutionReport.model_validate_json(
        json.dumps({"project": "P1", "profile": "inner-mongolia-2025-draft", "lines": [line]})
    )
    assert str(report.lines[0].hours) == "6.50"
    for bad in ({"hours": -1}, {"hours": "6.505"}, {"assessment": "great"}, {"credits": "x"}):
        with pytest.raises(ValidationError):
            ExecutionReport.model_validate_json(
                json.dumps({"project": "P1", "profile": "x", "lines": [{**line, **bad}]})
            )


def test_denied_hmac_matches_the_kiosk_service(tmp_path: Path) -> None:
    key = signing.new_secret()
    store = Store.open(tmp_path / "k.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    svc = CheckInService(store=store, project=project, device_id="dv-x", desk_name="A",
                         denied_key=key, clock=FakeClock(at(DAY1, 8)))  # fmt: skip
    svc.present(Credential.attendee("nobody", method=Method.QR))
    row = store.outbox.pending_denied()[0]
    assert row["credential_hmac"] == signing.credential_hmac(key, "attendee:nobody")
    wire = DeniedRecord.model_validate(
        {k: v for k, v in row.items() if k in DeniedRecord.model_fields}
    )
    assert wire.credential_hmac == hmac.new(key, b"attendee:nobody", hashlib.sha256).hexdigest()


def test_wire_attendee_becomes_the_kiosk_model() -> None:
    person = make_roster(1)[0]
    wire = WireAttendee(
        id="A1", id_type=person.document.type.value, id_number=person.document.number,
        name=person.name, unit="u", department="d", title="护理", role="participant",
        card_uids=["0713233758"], qr_secret=b64(b"k" * 32),
    )  # fmt: skip
    model = wire.to_attendee()
    assert model.document == person.document and model.card_uids == ("0713233758",)
    assert wire.secret == b"k" * 32


def test_tls_is_always_verified_and_pins_are_checked_for_shape() -> None:
    ctx = tls_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2
    with pytest.raises(ValueError, match="64-hex"):
        tls_context(pin_sha256="abc")
    with pytest.raises(ValueError, match="https://"):
        SyncClient("http://127.0.0.1:8443")
    assert "verify" not in SyncClient.__init__.__code__.co_varnames  # no insecure switch


def test_client_from_the_sync_config_section(tmp_path: Path) -> None:
    from kiosk.config import SyncSection

    section = SyncSection(server_url="https://platform.example:8443", pinned_sha256="ab" * 32,
                          connect_timeout_s=2, read_timeout_s=9)  # fmt: skip
    client = SyncClient.from_config(section, token="t")
    assert client.token == "t" and client._http.client.timeout.read == 9
    with pytest.raises(ValueError, match="server_url"):
        SyncClient.from_config(SyncSection(), token=None)


def test_retry_after_seconds_dates_and_garbage() -> None:
    now = datetime(2026, 5, 20, 0, 0, tzinfo=UTC)
    assert retry_after("7", now=now) == 7.0
    assert retry_after("Wed, 20 May 2026 00:00:30 GMT", now=now) == 30.0
    assert retry_after("Tue, 19 May 2026 00:00:00 GMT", now=now) == 0.0
    assert retry_after("soon", now=now) is None
    assert retry_after(None, now=now) is None


def test_event_record_refuses_a_record_that_cannot_travel() -> None:
    with pytest.raises(ValidationError):
        EventRecord.model_validate(fields(prev_hash="x", hash="y", signature="z"))


def test_a_record_whose_chain_link_is_unknown_stops_the_upload(tmp_path: Path) -> None:
    """Without the previous hash the record cannot verify: a wiring fault, not a dead letter."""
    store = Store.open(tmp_path / "k.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(2)
    store.roster.save_roster(project.number, people)
    svc = CheckInService(store=store, project=project, device_id="dv-x", desk_name="A",
                         clock=FakeClock(at(DAY1, 8)))  # fmt: skip
    for p in people:
        svc.present(Credential.id_card(document=p.document))
    # The store keeps each record's link; a record that lost it (old rows) cannot verify.
    assert store.outbox.pending_events()[1].prev_hash == store.outbox.pending_events()[0].hash
    second = [replace(e, prev_hash="") for e in store.outbox.pending_events()[1:]]
    client = SyncClient("https://127.0.0.1:9", token="t")
    with pytest.raises(PermanentError) as err:
        client.upload_events(second)
    assert err.value.reason == "prev_hash_unknown"
