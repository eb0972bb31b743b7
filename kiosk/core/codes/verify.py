"""One entry point for every scanned payload: screen it, recognise its format, verify it offline."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.core.charset import Payload, decode_payload
from kiosk.core.codes import roster_code, rotating, ticket
from kiosk.core.codes.rotating import ReplayGuard
from kiosk.core.codes.verdict import Reason, Verdict, VerdictKind, rejected
from kiosk.core.codes.wire import MAX_PAYLOAD, WireError, has_forbidden_characters
from kiosk.core.model import Project
from kiosk.core.timeutil import Clock, utc_now

# "CME-TKT7:" and the like: a format we know of, in a version this kiosk does not speak.
_FAMILY_HEAD = re.compile(r"(CME-[A-Z]{3})(\d+)")


@dataclass(frozen=True, slots=True)
class VerifyContext:
    """What the desk knows: its project, the roster's keys and secrets, the replay guard, a clock.

    Use `kiosk_context` at a desk and `inspection_context` for a laptop without a roster. Missing
    knowledge at a desk rejects; during inspection it yields the format with an `unverified_*`
    reason (never `accepted`).
    """

    project_number: str | None = None  # None: any project (inspection)
    ticket_keys: Mapping[str, bytes] = field(default_factory=dict)  # key id → raw Ed25519 public
    attendee_secret: Callable[[str], bytes | None] | None = None  # rotating-code secret lookup
    attendee_known: Callable[[str], bool] | None = None  # is this reference on the roster?
    allow_plain_roster_codes: bool | None = None  # None: unknown (inspection)
    replay_guard: ReplayGuard | None = None
    clock: Clock = utc_now
    inspect_only: bool = False


def kiosk_context(
    project: Project,
    *,
    ticket_keys: Mapping[str, bytes],
    attendee_secret: Callable[[str], bytes | None],
    attendee_known: Callable[[str], bool],
    replay_guard: ReplayGuard,
    clock: Clock = utc_now,
) -> VerifyContext:
    """The context of a desk checking people into `project` from its local roster."""
    return VerifyContext(
        project_number=project.number,
        ticket_keys=dict(ticket_keys),
        attendee_secret=attendee_secret,
        attendee_known=attendee_known,
        allow_plain_roster_codes=project.checkin.allow_plain_roster_codes,
        replay_guard=replay_guard,
        clock=clock,
    )


def inspection_context(
    *,
    clock: Clock = utc_now,
    project_number: str | None = None,
    ticket_keys: Mapping[str, bytes] | None = None,
    attendee_secret: Callable[[str], bytes | None] | None = None,
    attendee_known: Callable[[str], bool] | None = None,
    allow_plain_roster_codes: bool | None = None,
) -> VerifyContext:
    """A context for looking at codes away from a desk: judges what it can, says what it cannot."""
    return VerifyContext(
        project_number=project_number,
        ticket_keys=dict(ticket_keys or {}),
        attendee_secret=attendee_secret,
        attendee_known=attendee_known,
        allow_plain_roster_codes=allow_plain_roster_codes,
        clock=clock,
        inspect_only=True,
    )


def _screen(payload: str | bytes | Payload) -> Payload | str | Verdict:  # noqa: PLR0911 - checks
    """The payload (bytes read as text), or the rejection of something no format could be."""
    if isinstance(payload, bytes | Payload):
        raw = payload if isinstance(payload, bytes) else payload.raw
        if len(raw) > MAX_PAYLOAD:
            return rejected(Reason.OVERSIZED, detail=f"{len(raw)} bytes")
        if isinstance(payload, bytes):
            payload = decode_payload(payload)  # as the camera and the scanners read bytes
        if payload.binary:
            return rejected(Reason.BINARY, detail=f"{len(raw)} bytes, not text")
    text = payload.text if isinstance(payload, Payload) else payload
    if not text:
        return rejected(Reason.EMPTY)
    if len(text) > MAX_PAYLOAD:
        return rejected(Reason.OVERSIZED, detail=f"{len(text)} characters")
    if has_forbidden_characters(text):
        return rejected(Reason.CONTROL_CHARACTERS, detail=f"{len(text)} characters")
    if isinstance(payload, str) and len(payload.encode("utf-8")) > MAX_PAYLOAD:
        return rejected(Reason.OVERSIZED, detail=f"{len(text)} characters")
    return payload


def _exact(payload: Payload | str) -> str | None:
    """The text of a signed format's bytes: ASCII, byte for byte; None if the bytes are not that.

    Signatures and MACs are checked over the code's own bytes, never over text re-encoded from
    another character set. Typed text (a keyboard wedge) has no bytes but its characters.
    """
    if isinstance(payload, str):
        return payload
    if not payload.raw.isascii():
        return None
    exact = payload.raw.decode("ascii")
    return exact if exact == payload.text else None


def _unknown(text: str) -> Verdict:
    # The first characters identify a foreign format without copying a credential into the log.
    # Text in another script is most likely a name (personal data): only its length is kept.
    if not text[:4].isascii():
        return rejected(Reason.UNKNOWN_PREFIX, detail=f"{len(text)} characters, not ASCII")
    return rejected(Reason.UNKNOWN_PREFIX, detail=f"{len(text)} characters, starts {text[:4]!r}")


def classify_and_verify(  # noqa: PLR0911 - one exit per format
    payload: str | bytes | Payload, *, context: VerifyContext
) -> Verdict:
    """Judge one scanned payload: typed text, bytes, or bytes with their text (a QR decoder's).

    Bytes without their text are read as the camera and the scanners read them
    (kiosk.core.charset): an ECI is only known to whoever decoded the symbol.
    """
    screened = _screen(payload)
    if isinstance(screened, Verdict):
        return screened
    text = screened.text if isinstance(screened, Payload) else screened
    head, sep, body = text.partition(":")
    head = head.upper()  # a scanner with Caps Lock on inverts letters
    try:
        if sep and head + ":" in (ticket.PREFIX, rotating.PREFIX):
            exact = _exact(screened)
            if exact is None:
                raise WireError("a signed code must be ASCII, byte for byte")
            body = exact.partition(":")[2]
            if head + ":" == ticket.PREFIX:
                return _verify_ticket(ticket.parse_ticket(body), context)
            return _verify_rotating(rotating.parse_rotating(body), context)
        if sep and head + ":" == roster_code.PREFIX:
            return _verify_roster(roster_code.parse_roster_code(body), context, prefixed=True)
    except (WireError, ValueError, OverflowError) as exc:
        family = {
            ticket.PREFIX: VerdictKind.TICKET,
            rotating.PREFIX: VerdictKind.ROTATING,
            roster_code.PREFIX: VerdictKind.ROSTER_CODE,
        }[head + ":"]
        return rejected(Reason.MALFORMED, family=family, detail=str(exc))
    known = _FAMILY_HEAD.fullmatch(head) if sep else None
    if known and known.group(1) in (ticket.FAMILY, rotating.FAMILY, roster_code.FAMILY):
        return rejected(Reason.UNSUPPORTED_VERSION, detail=f"{head} (this kiosk reads version 1)")
    if roster_code.looks_like_bare_reference(text) and context.allow_plain_roster_codes:
        return _verify_roster(text, context, prefixed=False)
    return _unknown(text)


def _window(start: datetime, end: datetime, now: datetime) -> Reason | None:
    if now < start:
        return Reason.NOT_YET_VALID
    if now >= end:
        return Reason.EXPIRED
    return None


class _Judge:
    """Verdicts about one recognised payload, sharing its family, project, attendee and detail."""

    def __init__(
        self, family: VerdictKind, *, project: str | None, attendee_id: str, detail: str
    ) -> None:
        self.family = family
        self.project = project
        self.attendee_id = attendee_id
        self.detail = detail

    def reject(self, reason: Reason, extra: str = "") -> Verdict:
        return rejected(
            reason,
            family=self.family,
            project=self.project,
            attendee_id=self.attendee_id,
            detail=self.detail + extra,
        )

    def recognise(self, reason: Reason, *, verified: bool) -> Verdict:
        return Verdict(
            self.family,
            reason,
            family=self.family,
            project=self.project,
            attendee_id=self.attendee_id,
            verified=verified,
            detail=self.detail,
        )


def _verify_ticket(  # noqa: PLR0911 - one exit per check, in order
    parsed: ticket.ParsedTicket, ctx: VerifyContext
) -> Verdict:
    t = parsed.ticket
    judge = _Judge(
        VerdictKind.TICKET,
        project=t.project,
        attendee_id=t.attendee_id,
        detail=f"ticket {t.attendee_id} key {t.key_id}",
    )
    if ctx.project_number is not None and t.project != ctx.project_number:
        return judge.reject(Reason.OTHER_PROJECT, f" for {t.project}")
    outside = _window(t.valid_from, t.valid_to, ctx.clock())
    if not ctx.ticket_keys:
        if not ctx.inspect_only:
            return judge.reject(Reason.NO_KEYS)
        if outside is not None:
            return judge.reject(outside, ", signature not checked")
        return judge.recognise(Reason.UNVERIFIED_NO_KEY, verified=False)
    public = ctx.ticket_keys.get(t.key_id)
    if public is None:
        return judge.reject(Reason.UNKNOWN_KEY_ID)
    if not ticket.signature_valid(parsed, public):
        return judge.reject(Reason.BAD_SIGNATURE)
    if outside is not None:
        return judge.reject(outside, f" valid {t.valid_from.isoformat()}..{t.valid_to.isoformat()}")
    if ctx.attendee_known is not None and not ctx.attendee_known(t.attendee_id):
        return judge.reject(Reason.UNKNOWN_ATTENDEE)
    return judge.recognise(Reason.OK, verified=True)


def _verify_rotating(  # noqa: PLR0911 - one exit per check, in order
    parsed: rotating.ParsedRotating, ctx: VerifyContext
) -> Verdict:
    now_slot = rotating.slot_of(ctx.clock())
    judge = _Judge(
        VerdictKind.ROTATING,
        project=parsed.project,
        attendee_id=parsed.attendee_id,
        detail=f"rotating {parsed.attendee_id} slot {parsed.slot} (now {now_slot})",
    )
    if ctx.project_number is not None and parsed.project != ctx.project_number:
        return judge.reject(Reason.OTHER_PROJECT, f" for {parsed.project}")
    outside = None
    if parsed.slot < now_slot - rotating.TOLERANCE_SLOTS:
        outside = Reason.EXPIRED
    elif parsed.slot > now_slot + rotating.TOLERANCE_SLOTS:
        outside = Reason.NOT_YET_VALID
    secret = ctx.attendee_secret(parsed.attendee_id) if ctx.attendee_secret else None
    if secret is None:
        if not ctx.inspect_only:
            return judge.reject(Reason.UNKNOWN_ATTENDEE)
        if outside is not None:
            return judge.reject(outside, ", MAC not checked")
        return judge.recognise(Reason.UNVERIFIED_NO_SECRET, verified=False)
    # The MAC before the window and the replay guard: a forged code must not burn a real slot.
    if not rotating.mac_valid(parsed, secret):
        return judge.reject(Reason.BAD_MAC)
    if outside is not None:
        return judge.reject(outside)
    if ctx.replay_guard is not None and not ctx.replay_guard.claim(
        project=parsed.project, attendee_id=parsed.attendee_id, slot=parsed.slot
    ):
        return judge.reject(Reason.REPLAY)
    return judge.recognise(Reason.OK, verified=True)


def _verify_roster(reference: str, ctx: VerifyContext, *, prefixed: bool) -> Verdict:
    judge = _Judge(
        VerdictKind.ROSTER_CODE,
        project=ctx.project_number,
        attendee_id=reference,
        detail=f"roster code {reference}" + ("" if prefixed else " (no prefix)"),
    )
    if ctx.allow_plain_roster_codes is False:
        return judge.reject(Reason.ROSTER_CODES_DISABLED)
    if ctx.attendee_known is None:
        if not ctx.inspect_only:
            return judge.reject(Reason.UNKNOWN_ATTENDEE, ", no roster")
        return judge.recognise(Reason.UNVERIFIED_NO_ROSTER, verified=False)
    if not ctx.attendee_known(reference):
        return judge.reject(Reason.UNKNOWN_ATTENDEE)
    return judge.recognise(Reason.OK, verified=True)
