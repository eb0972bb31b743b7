"""What a relay cannot do: invent, alter or re-sign records; and revocation reaching the venue."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, update

from kiosk.core.model import new_uuid
from kiosk.core.timeutil import offset_minutes, to_utc
from kiosk.services.checkin import Credential, Status
from sync import signing
from sync.client import DeviceRevoked, PermanentError
from sync.protocol import EventBatch, EventRecord, RelayDevice
from sync.server import db as t
from sync.server.platform import PlatformError
from sync.server.relay.client import Upstream
from sync.server.relay.status import relay_status
from tests.support.desks import enroll, statuses
from tests.support.kiosks import make_kiosk
from tests.support.relay_venue import NUMBER, PEOPLE, Venue, present
from tests.support.roster import DAY1, FakeClock, at, make_project

pytestmark = pytest.mark.timeout(120)


def relay_upstream(v: Venue) -> Upstream:
    """The relay's own client upstream, with its own token (what a compromised relay holds)."""
    link = v.forwarder.links()[0]
    return Upstream(v.upstream.url, token=link.token, ca_bundle=v.tls.ca_pem)


def relay_key(v: Venue) -> signing.Ed25519PrivateKey:
    with v.relay.admin.db.read() as conn:
        raw = conn.execute(select(t.relay_links.c.private_key)).scalar_one()
    return signing.private_from_bytes(bytes(raw))


def test_the_relay_cannot_invent_alter_or_re_sign_a_kiosks_record(venue: Venue) -> None:
    clock = FakeClock(at(DAY1, 8, 10))
    a = venue.kiosk("A", clock)
    assert a.service.present(Credential.id_card(document=PEOPLE[0].document)).status is (
        Status.ACCEPTED
    )
    a.sync()
    assert venue.forwarder.cycle()[0].answers == {"event accepted": 1}
    genuine = venue.upstream.admin.stored_events(NUMBER)[0]
    kiosk_id = a.enrollment.device_id

    fields = {
        "uuid": new_uuid(), "seq": 2, "project": NUMBER, "attendee_id": "A2", "direction": "in",
        "method": "id_card", "device_id": kiosk_id,
        "scanned_at": to_utc(at(DAY1, 8, 30)).isoformat(),
        "utc_offset_minutes": offset_minutes(at(DAY1, 8, 30)), "server_offset_ms": None,
        "evidence_ref": None, "flags": [],
    }  # fmt: skip
    forged = signing.signed_record(relay_key(venue), fields, prev_hash=str(genuine["hash"]))
    altered = EventRecord.model_validate(
        {**forged.model_dump(), "signature": genuine["signature"], "hash": genuine["hash"]}
    )
    stranger = signing.signed_record(
        relay_key(venue), {**fields, "uuid": new_uuid(), "device_id": "dv-000000000000"}
    )
    with relay_upstream(venue) as up:
        answers = up.events([forged, altered, stranger]).answers
    assert [(x.status, x.reason) for x in answers] == [
        ("rejected", "bad_signature"),  # re-signed by the relay's key: not the kiosk's
        ("rejected", "bad_signature"),  # the kiosk's signature over other contents
        ("rejected", "wrong_device"),  # a device this relay never registered
    ]
    assert len(venue.upstream.admin.stored_events(NUMBER)) == 1
    actions = [e["action"] for e in venue.upstream.admin.audit_log(NUMBER)]
    assert "relay_refused" in actions

    # A relay cannot take over an id the platform already knows with another key.
    direct = enroll(venue.upstream, NUMBER, "D")
    with relay_upstream(venue) as up, pytest.raises(PermanentError) as err:
        up.register(
            RelayDevice(
                device_id=direct.device_id,
                public_key=signing.public_b64(relay_key(venue)),
                desk_name="D",
                enrollment_code="ABCD-EFGH-JKLM",
            )
        )
    assert err.value.reason == "device_id_taken"
    # And a desk's token is no relay's.
    with Upstream(venue.upstream.url, token=None, ca_bundle=venue.tls.ca_pem) as up:
        up.token = _token_of(direct)
        with pytest.raises(PermanentError) as err:
            up.events([forged])
    assert err.value.reason == "not_a_relay"
    assert statuses(direct.upload(direct.record("A3", at=at(DAY1, 9)))) == [("accepted", "")]


def _token_of(desk: object) -> str:
    token = desk.client.token  # type: ignore[attr-defined]
    assert isinstance(token, str)
    return token


def test_revoking_a_kiosk_upstream_reaches_the_venue_as_rejected_answers(
    venue: Venue,
) -> None:
    clock = FakeClock(at(DAY1, 8, 10))
    a = venue.kiosk("A", clock)
    b = venue.kiosk("B", clock)
    assert a.service.present(Credential.id_card(document=PEOPLE[0].document)).status is (
        Status.ACCEPTED
    )
    a.sync()
    assert venue.forwarder.cycle()[0].error == ""
    venue.upstream.admin.revoke(a.enrollment.device_id, reason="stolen from the venue")

    clock.advance(minutes=5)
    assert a.service.present(Credential.id_card(document=PEOPLE[1].document)).status is (
        Status.ACCEPTED
    )
    assert b.service.present(Credential.id_card(document=PEOPLE[2].document)).status is (
        Status.ACCEPTED
    )
    a.sync()  # the relay has not heard of the revocation yet: it keeps the record
    b.sync()
    result = venue.forwarder.cycle()[0]
    assert result.answers == {"event rejected": 1, "event accepted": 1}
    status = relay_status(venue.relay.admin.db)[0]
    assert [(r["device_id"], r["reason"]) for r in status["rejected"]] == [
        (a.enrollment.device_id, "revoked_device")
    ]
    kiosks = {k["desk_name"]: k for k in status["kiosks"]}
    assert kiosks["A"]["state"] == "revoked" and kiosks["A"]["upstream_state"] == "revoked"
    assert kiosks["B"]["state"] == "active"
    # The revoked kiosk's next request to the relay is refused with the platform's reason.
    a.service.present(Credential.id_card(document=PEOPLE[3].document))
    with pytest.raises(DeviceRevoked) as err:
        a.sync()
    assert "revoked by the platform upstream: stolen from the venue" in err.value.detail
    stored = venue.upstream.admin.stored_events(NUMBER)
    assert sorted(str(e["attendee_id"]) for e in stored) == ["A1", "A3"]
    # Upstream the revoked kiosk no longer blocks; the healthy one is complete.
    desks = {d.desk_name: d for d in venue.upstream.admin.status(NUMBER).desks}
    assert desks["A"].state == "revoked" and not desks["A"].blocking
    assert desks["B"].complete
    # A kiosk with nothing new to send learns its revocation from the forwarded status reports,
    # at its next heartbeat (a drain with nothing new asks nothing before it is due).
    venue.upstream.admin.revoke(b.enrollment.device_id, reason="left with a volunteer")
    assert venue.forwarder.cycle()[0].answers == {}
    b.sync()  # not due yet: no request, no news
    b.outbox.heartbeat_s = 0.0  # the heartbeat is due
    with pytest.raises(DeviceRevoked) as err:
        b.sync()
    assert err.value.detail.endswith("left with a volunteer")


def test_records_the_relay_refused_still_reach_upstream_so_the_desk_is_complete(
    venue: Venue,
) -> None:
    from datetime import timedelta

    desk = venue.desk("W")
    got = desk.upload(
        desk.record("A1", at=at(DAY1, 8)),
        desk.record("A1", at=at(DAY1 - timedelta(days=2), 8)),  # not one of the project's days
        desk.record("A2", at=at(DAY1, 9)),
    )
    assert statuses(got) == [("accepted", ""), ("rejected", "outside_project_days"),
                             ("accepted", "")]  # fmt: skip
    desk.client.device_status(3)
    result = venue.forwarder.cycle()[0]
    assert result.answers == {"event accepted": 2, "refused rejected": 1}
    # Upstream judged the refused record itself (the kiosk's signature) and counts its seq.
    w = next(d for d in venue.upstream.admin.status(NUMBER).desks if d.desk_name == "W")
    assert (w.missing, w.latest_seq, w.complete) == (0, 3, True)
    assert len(venue.upstream.admin.stored_events(NUMBER)) == 2
    status = relay_status(venue.relay.admin.db)[0]
    assert status["pending_refused"] == 0
    assert [r["reason"] for r in status["rejected"]] == ["outside_project_days"]
    assert venue.forwarder.cycle()[0].answers == {}  # and only once


def test_a_kiosk_the_platform_will_not_register_does_not_hold_up_the_others(
    venue: Venue,
) -> None:
    from sqlalchemy import insert

    bad = venue.desk("X")
    good = venue.desk("Y")
    with venue.upstream.admin.db.write() as conn:  # the id is already someone else's upstream
        conn.execute(
            insert(t.devices).values(
                id=bad.device_id, project=NUMBER, role="desk", desk_name="other",
                token_hash="0" * 64, public_key=b"\x01" * 32, seq_start=1,
                enrolled_at=venue.upstream.clock(), state="active", end_reason="",
                highest_contiguous=0,
            )
        )  # fmt: skip
    bad.upload(bad.record("A1", at=at(DAY1, 8)))
    good.upload(good.record("A2", at=at(DAY1, 8)))
    result = venue.forwarder.cycle()[0]
    assert result.error == "" and result.answers == {"event accepted": 1}
    assert len(result.problems) == 1 and "device_id_taken" in result.problems[0]
    status = relay_status(venue.relay.admin.db)[0]
    assert "desk X" in status["last_error"] and status["pending_events"] == 1
    stored = venue.upstream.admin.stored_events(NUMBER)
    assert [r["device_id"] for r in stored] == [good.device_id]


def _raw(v: Venue) -> httpx.Client:
    """The relay's own credentials upstream, speaking raw JSON (what a hostile relay can send)."""
    link = v.forwarder.links()[0]
    return httpx.Client(base_url=v.upstream.url, verify=v.tls.client_context(),
                        headers={"Authorization": f"Bearer {link.token}"})  # fmt: skip


def test_a_relay_cannot_invent_a_desk(venue: Venue) -> None:
    """Issue 14 break 2: any device id and any key, then its records, were accepted upstream."""
    key = signing.new_private_key()
    invented = "dv-" + "ab" * 6
    body = {"device_id": invented, "public_key": signing.public_b64(key), "desk_name": "ghost"}
    with _raw(venue) as c:
        r = c.post("/api/v1/relay/devices", json=body)
        assert r.status_code == 422  # a registration must carry a platform-issued code
        desk_code, _ = venue.upstream.admin.enroll_code(NUMBER)  # not a venue code
        for code, error in (("ABCD-EFGH-JKLM", "invalid_code"), (desk_code, "invalid_code")):
            r = c.post("/api/v1/relay/devices", json={**body, "enrollment_code": code})
            assert (r.status_code, r.json()["error"]) == (403, error), r.text
        used = venue.venue_code()
        venue.kiosk("A", FakeClock(at(DAY1, 8)), code=used)  # registered upstream with it
        fields = {
            "uuid": new_uuid(), "seq": 1, "project": NUMBER, "attendee_id": "A1",
            "direction": "in", "method": "id_card", "device_id": invented,
            "scanned_at": to_utc(at(DAY1, 8, 30)).isoformat(),
            "utc_offset_minutes": offset_minutes(at(DAY1, 8, 30)), "server_offset_ms": None,
            "evidence_ref": None, "flags": [],
        }  # fmt: skip
        record = signing.signed_record(key, fields)
        r = c.post("/api/v1/relay/events", content=EventBatch(records=[record]).model_dump_json(),
                   headers={"Content-Type": "application/json"})  # fmt: skip
        assert r.status_code == 200
        assert [(a["status"], a["reason"]) for a in r.json()["answers"]] == [
            ("rejected", "wrong_device")
        ]
    assert venue.forwarder.cycle()[0].error == ""
    with relay_upstream(venue) as up, pytest.raises(PermanentError) as err:
        up.register(RelayDevice(device_id=invented, public_key=signing.public_b64(key),
                                desk_name="ghost", enrollment_code=used))  # fmt: skip
    assert err.value.reason == "code_used"  # kiosk A has it: one code, one desk
    assert all(e["device_id"] != invented for e in venue.upstream.admin.stored_events(NUMBER))
    assert invented not in {d.device_id for d in venue.upstream.admin.devices(NUMBER)}


def test_kiosks_enroll_at_the_relay_offline_with_codes_the_platform_issued(venue: Venue) -> None:
    code, _ = venue.upstream.admin.enroll_code(NUMBER, venue=True)
    spent, _ = venue.upstream.admin.enroll_code(NUMBER, venue=True)
    assert venue.forwarder.cycle()[0].codes == 2
    venue.upstream_down()
    clock = FakeClock(at(DAY1, 8, 10))
    client = venue.relay.client(clock=clock)
    # Neither a made-up code nor the relay's own codes let a kiosk in.
    with pytest.raises(PermanentError) as err:
        client.enroll("ABCD-EFGH-JKLM", public_key=signing.public_b64(signing.new_private_key()),
                      desk_name="X")  # fmt: skip
    assert err.value.reason == "invalid_code"
    with pytest.raises(PlatformError, match="--venue"):
        venue.relay.admin.enroll_code(NUMBER)
    a = make_kiosk(venue.tmp, venue.relay, make_project(), "A", clock=clock, client=client,
                   code=code)  # fmt: skip
    assert present(a, 0) is Status.ACCEPTED
    a.sync()
    # The other code was used directly upstream meanwhile: the relay's kiosk with it is refused
    # there, and the refusal reaches the relay's status; kiosk A's records go through.
    b = make_kiosk(venue.tmp, venue.relay, make_project(), "B", clock=clock,
                   client=venue.relay.client(clock=clock), code=spent)  # fmt: skip
    venue.upstream_up()
    enroll(venue.upstream, NUMBER, "direct", code=spent)
    assert present(b, 1) is Status.ACCEPTED
    b.sync()
    result = venue.forwarder.cycle()[0]
    assert result.error == "" and result.answers == {"event accepted": 1}
    assert len(result.problems) == 1 and "code_used" in result.problems[0]
    status = relay_status(venue.relay.admin.db)[0]
    assert "desk B" in status["last_error"] and "code_used" in status["last_error"]
    assert status["pending_events"] == 1
    stored = venue.upstream.admin.stored_events(NUMBER)
    assert [r["device_id"] for r in stored] == [a.enrollment.device_id]


def test_records_of_an_untraced_kiosk_are_refused_and_the_relay_shows_it(venue: Venue) -> None:
    """A kiosk registered before venue codes existed cannot be traced: its records wait."""
    desk = venue.desk("U")
    desk.upload(desk.record("A1", at=at(DAY1, 8)))
    assert venue.forwarder.cycle()[0].answers == {"event accepted": 1}
    with venue.upstream.admin.db.write() as conn:  # as the migration leaves an older one
        conn.execute(
            update(t.relay_devices)
            .where(t.relay_devices.c.device_id == desk.device_id)
            .values(code_hash=None)
        )
    desk.upload(desk.record("A2", at=at(DAY1, 9)))
    assert venue.forwarder.cycle()[0].answers == {"event rejected": 1}
    status = relay_status(venue.relay.admin.db)[0]
    assert [(r["device_id"], r["reason"]) for r in status["rejected"]] == [
        (desk.device_id, "untraced_device")
    ]
    assert len(venue.upstream.admin.stored_events(NUMBER)) == 1


def test_a_kiosk_retired_upstream_is_retired_at_the_venue_too(venue: Venue) -> None:
    """Issue 14 break 1 through a relay: the lost kiosk stops pulling the roster there too."""
    clock = FakeClock(at(DAY1, 8, 10))
    a = venue.kiosk("A", clock)
    assert present(a, 0) is Status.ACCEPTED
    a.sync()
    assert venue.forwarder.cycle()[0].error == ""
    venue.upstream.admin.retire(a.enrollment.device_id, reason="lost in hall 2")
    assert venue.forwarder.cycle()[0].error == ""
    with pytest.raises(PermanentError) as err:
        a.pull()
    assert err.value.reason == "device_retired"
    assert "retired by the platform upstream: lost in hall 2" in str(err.value)
    kiosks = {k["desk_name"]: k for k in relay_status(venue.relay.admin.db)[0]["kiosks"]}
    assert kiosks["A"]["state"] == "retired" and kiosks["A"]["upstream_state"] == "retired"
