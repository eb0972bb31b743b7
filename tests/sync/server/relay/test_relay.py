"""A venue relay between kiosks and the platform: real servers over loopback TLS, real kiosks.

The upstream platform and the relay are both `cme-kiosk server` apps under uvicorn; the kiosks are
the lead's store, check-in service, outbox and client. The relay forwards the kiosks' records
verbatim, so the platform verifies each kiosk's own signature.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from kiosk.services.checkin import Credential, Status
from sync import signing
from sync.server import db as t
from sync.server.relay import RelayForwarder
from sync.server.relay.status import relay_status
from tests.support.relay_venue import NUMBER, Venue, present
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

pytestmark = pytest.mark.timeout(120)


def test_records_made_while_upstream_is_down_reach_it_exactly_once_with_kiosk_signatures(
    venue: Venue,
) -> None:
    clock = FakeClock(at(DAY1, 8, 10))
    a, b = venue.kiosk("A", clock), venue.kiosk("B", clock)
    # The kiosks got the project and roster from the relay, which got them from upstream.
    assert a.store.get_meta("pull_cursor") != "0" and a.project == make_project()
    venue.upstream_down()
    assert present(a, 0) is Status.ACCEPTED and present(a, 1) is Status.ACCEPTED
    clock.advance(minutes=1)
    assert present(b, 2) is Status.ACCEPTED
    b.service.present(Credential.card_uid("DEADBEEF01"))  # an unknown card: a refused attempt
    a.sync()
    b.sync()  # the venue's kiosks are done: their records are on the relay

    failed = venue.forwarder.cycle()
    assert failed[0].error.startswith("network") and not failed[0].permanent
    status = relay_status(venue.relay.admin.db)[0]
    assert status["pending_events"] == 3 and status["pending_denied"] == 1
    assert status["last_error"] and status["last_success"] is not None  # enrolled earlier

    venue.upstream_up()
    done = venue.forwarder.cycle()[0]
    assert done.error == "", done.error
    assert done.registered == 2
    assert done.answers == {"event accepted": 3, "denied accepted": 1}

    up = venue.upstream.admin
    stored = up.stored_events(NUMBER)
    assert len(stored) == 3 and len({e["uuid"] for e in stored}) == 3
    keys = {a.enrollment.device_id: a.store, b.enrollment.device_id: b.store}
    for row in stored:
        store = keys[str(row["device_id"])]  # the kiosk's id, not the relay's
        mine = {r["uuid"]: r for r in store.records.chain_rows()}[row["uuid"]]
        assert (row["hash"], row["signature"], row["prev_hash"]) == (
            mine["hash"], mine["signature"], mine["prev_hash"],
        )  # fmt: skip
        key = signing.public_from_b64(store.device_public_key())
        assert signing.verify_record(_wire(row), key)  # the platform checked the kiosk's own key
    assert len(up.stored_denied(NUMBER)) == 1

    # Upstream completeness lists each kiosk as a desk; the relay itself never blocks.
    desks = {d.desk_name: d for d in up.status(NUMBER).desks}
    assert desks["A"].role == desks["B"].role == "desk"
    assert desks["A"].complete and desks["B"].complete and desks["A"].latest_seq == 2
    assert desks["hall"].role == "relay" and not desks["hall"].blocking
    assert up.status(NUMBER).complete

    # Nothing is sent twice; a lost answer (the relay forgot it) comes back as duplicate.
    assert venue.forwarder.cycle()[0].answers == {}
    with venue.relay.admin.db.write() as conn:
        conn.execute(delete(t.relay_forwarded))
    again = venue.forwarder.cycle()[0]
    assert again.answers == {"event duplicate": 3, "denied duplicate": 1}
    assert len(up.stored_events(NUMBER)) == 3 and len(up.stored_denied(NUMBER)) == 1
    assert relay_status(venue.relay.admin.db)[0]["pending_events"] == 0


def _wire(row: dict[str, object]) -> object:
    import json

    from sync.protocol import EventRecord

    return EventRecord.model_validate(
        {k: row[k] for k in ("uuid", "seq", "project", "attendee_id", "direction", "method",
                             "device_id", "utc_offset_minutes", "server_offset_ms",
                             "evidence_ref", "prev_hash", "hash", "signature")}
        | {"scanned_at": row["scanned_at_text"], "flags": json.loads(str(row["flags"]))}
    )  # fmt: skip


def test_the_venue_gets_project_keys_and_roster_from_upstream_through_the_relay(
    venue: Venue, tmp_path: Path
) -> None:
    from sync.server.platform import PlatformError
    from sync.server.roster import RosterRow, import_roster

    relay, up = venue.relay.admin, venue.upstream.admin
    # The same HMAC key (refused attempts match upstream's) and the same rotating-code secrets.
    assert relay.denied_hmac_key(NUMBER) == up.denied_hmac_key(NUMBER)
    assert relay.attendee_qr_secret(NUMBER, "A3") == up.attendee_qr_secret(NUMBER, "A3")
    with pytest.raises(PlatformError) as err:  # only public ticket keys reach the relay
        relay.ticket_signing_key(NUMBER)
    assert err.value.error == "mirrored_project"
    a = venue.kiosk("A", FakeClock(at(DAY1, 8)))
    assert a.store.roster.roster_size(NUMBER) == 5

    # Upstream changes the roster and rotates the ticket key: the next pass brings both down.
    person = make_roster(6)[5]
    row = RosterRow(line=2, id_type=person.document.type.value, id_number=person.document.number,
                    name=person.name)  # fmt: skip
    import_roster(up.platform, NUMBER, [row], actor="test")
    kid = up.rotate_ticket_key(NUMBER, retire_old=True)
    assert venue.forwarder.cycle()[0].roster == 1
    a.pull()
    assert a.store.roster.roster_size(NUMBER) == 6
    joined = a.store.roster.get_attendee(NUMBER, "A6")
    assert joined is not None and joined.document == person.document
    bundle, _ = a.client.project(NUMBER)
    assert bundle is not None and [k.key_id for k in bundle.ticket_keys] == [kid]


def test_two_forwarding_passes_at_once_deliver_each_record_once(venue: Venue) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    desk = venue.desk("W")
    records = [desk.record(f"A{1 + i % 5}", at=at(DAY1, 8) + timedelta(seconds=i))
               for i in range(1200)]  # fmt: skip
    for i in range(0, len(records), 500):
        assert {a.status for a in desk.upload(*records[i : i + 500])} == {"accepted"}
    desk.client.device_status(1200)
    # `server relay sync` by hand while `server run --relay` is forwarding: two passes race.
    other = RelayForwarder(venue.relay.admin.db, clock=venue.relay.clock)
    with ThreadPoolExecutor(2) as pool:
        results = [f.result()[0] for f in [pool.submit(venue.forwarder.cycle),
                                           pool.submit(other.cycle)]]  # fmt: skip
    assert [r.error for r in results] == ["", ""]
    accepted = sum(r.answers.get("event accepted", 0) for r in results)
    assert accepted == 1200  # the rest of what both sent was answered duplicate
    stored = venue.upstream.admin.stored_events(NUMBER)
    assert len(stored) == 1200 and len({e["uuid"] for e in stored}) == 1200
    w = next(d for d in venue.upstream.admin.status(NUMBER).desks if d.desk_name == "W")
    assert w.complete and w.latest_seq == 1200
    answered = relay_status(venue.relay.admin.db)[0]["answered"]  # one answer kept per record
    assert set(answered) <= {"event accepted", "event duplicate"}
    assert sum(answered.values()) == 1200


def test_walk_ins_go_upstream_through_the_relay_before_their_records_and_once(
    venue: Venue,
) -> None:
    from sync.server.walkins import stored_walk_ins

    clock = FakeClock(at(DAY1, 8, 10))
    a = venue.kiosk("A", clock)
    stranger = make_roster(7)[6]  # a valid card, not on the roster of 5
    out = a.service.present(Credential.id_card(document=stranger.document, name=stranger.name))
    assert out.status is Status.ACCEPTED and out.event is not None
    walk_in_id = out.event.attendee_id
    a.sync()
    assert [w["attendee_id"] for w in stored_walk_ins(venue.relay.admin.platform, NUMBER)] == [
        walk_in_id
    ]

    done = venue.forwarder.cycle()[0]
    assert done.error == "", done.error
    assert done.answers == {"walk_in accepted": 1, "event accepted": 1}
    [row] = stored_walk_ins(venue.upstream.admin.platform, NUMBER)
    assert row["attendee_id"] == walk_in_id and row["device_id"] == a.enrollment.device_id
    assert row["id_number"] == stranger.document.number and row["name"] == stranger.name
    [event] = venue.upstream.admin.stored_events(NUMBER)
    assert event["received_at"] >= row["received_at"]  # the identity arrived first
    assert venue.forwarder.cycle()[0].answers == {}  # sent once
    with venue.relay.admin.db.write() as conn:
        conn.execute(delete(t.relay_forwarded))
    again = venue.forwarder.cycle()[0]
    assert again.answers == {"walk_in duplicate": 1, "event duplicate": 1}
    assert len(stored_walk_ins(venue.upstream.admin.platform, NUMBER)) == 1
