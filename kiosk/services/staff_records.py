"""Staff actions that record something: manual check-ins, walk-ins, voids, disputes.

Each runs on the desk thread for a named, signed-in member (kiosk.services.staff_session) and
commits one record to the desk's chain with the member's id and the reason in its signed fields
(docs/protocol.md, "Staff records"). Refusals are Outcomes with a reason code (REASONS).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.checkin import OutcomeKind, decide
from kiosk.core.codes.phone import matching_slot
from kiosk.core.codes.receipt import parse_receipt
from kiosk.core.codes.wire import WireError, has_forbidden_characters
from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import validate_document
from kiosk.core.model import (
    Attendee,
    CheckInEvent,
    DeskMode,
    Direction,
    Flag,
    Method,
    RecordKind,
    new_uuid,
)
from kiosk.core.timeutil import format_local, offset_minutes
from kiosk.services.checkin import CheckInService, Outcome, Status
from kiosk.services.staff_methods import accepted_methods
from kiosk.services.staff_session import SignedIn

log = logging.getLogger(__name__)

MAX_NOTE = 500

# Reason code → (Chinese, English) fallback text; the screen's catalogue has the final words.
REASONS: dict[str, tuple[str, str]] = {
    "not_signed_in": ("请先登录工作人员账号", "Sign in to staff mode first"),
    "named_staff_required": (
        "本项目需要实名工作人员登录后才能记录",
        "A named staff member must sign in to record this",
    ),
    "reason_required": ("请填写原因", "A reason is required"),
    "words_required": ("请记录学员的原话", "Record the attendee's own words"),
    "unknown_attendee": ("名单中没有此人", "Not on the roster"),
    "nothing_to_void": ("此人没有可撤销的记录", "This person has no record to undo"),
    "not_own_record": (
        "最后一条记录来自其他签到台，只能在该台撤销",
        "The last record is another desk's: only that desk can undo it",
    ),
    "check_digit": ("证件号码校验位错误，请核对", "Check digit wrong, please re-enter the number"),
    "invalid_document": ("证件号码无效，请核对", "Invalid document number, please check it"),
    "name_required": ("请填写姓名", "A name is required"),
    "on_roster": ("此证件已在名单中，请直接人工签到", "Already on the roster: check them in"),
    "outside_project_days": ("今天不是本项目的培训日", "Today is not a day of this project"),
    "bad_text": ("文字中含有不可用的字符", "The text contains characters that cannot be kept"),
    "wrong_code": ("验证码不正确或已过期", "Wrong or expired code"),
    "code_used": ("此验证码已使用", "This code was already used"),
    "no_phone_code": ("此人没有手机验证码", "This person has no phone code"),
    "no_dead_letter": ("没有这条待处理的失败记录", "No such open dead letter"),
    "not_retryable": ("此项无法重试，只能忽略", "This one cannot be retried: dismiss it"),
}


def refused(reason: str, *, action: str, attendee: Attendee | None = None) -> Outcome:
    """A refused staff action: red, nothing recorded, the reason code for the screen."""
    zh, en = REASONS.get(
        reason, ("无法记录，请联系管理员", "Cannot be recorded, please call a lead")
    )
    return Outcome(Status.REFUSED, zh, en, reason=reason, action=action, attendee=attendee)


def _note(text: str) -> str | None:
    """The text as it may be signed (stripped, ≤ 500, printable); None if it cannot be."""
    note = text.strip()
    if not note or len(note) > MAX_NOTE or "\x00" in note or has_forbidden_characters(note):
        return None
    return note


@dataclass(frozen=True, slots=True)
class WalkInForm:
    """The walk-in form at the desk: document type and number, name, unit, department, title."""

    doc_type: str
    number: str
    name: str
    unit: str = ""
    department: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """A live check of a typed document number: ok, or a reason code and its text."""

    ok: bool
    reason: str = ""
    zh: str = ""
    en: str = ""


def check_document(doc_type: str, number: str) -> DocumentCheck:
    """Validate a typed number with its check digit (pure: the screen may call it as typed)."""
    try:
        validate_document(doc_type, number)
    except InvalidDocumentNumber as exc:
        reason = "check_digit" if "check digit" in exc.detail else "invalid_document"
        return DocumentCheck(False, reason, exc.screen_zh, exc.screen_en)
    except ValueError:  # an unknown document type
        zh, en = REASONS["invalid_document"]
        return DocumentCheck(False, "invalid_document", zh, en)
    return DocumentCheck(True)


class StaffRecords:
    """The record-making staff actions of one desk (desk thread only)."""

    def __init__(self, checkin: CheckInService) -> None:
        self._checkin = checkin

    @property
    def checkin(self) -> CheckInService:
        """The desk's check-in service (store, project, clock)."""
        return self._checkin

    def _event(
        self, attendee_id: str, *, direction: Direction, method: Method, who: SignedIn,
        note: str | None, now: datetime, kind: RecordKind = RecordKind.CHECKIN,
        flags: frozenset[Flag] = frozenset(), refers_to: str | None = None,
        receipt: str | None = None,
    ) -> CheckInEvent:  # fmt: skip
        c = self._checkin
        return CheckInEvent(
            uuid=new_uuid(), project=c.project.number, attendee_id=attendee_id,
            direction=direction, method=method, device_id=c.device_id, seq=1, scanned_at=now,
            utc_offset_minutes=offset_minutes(now.astimezone()), flags=flags, kind=kind,
            staff_id=who.staff_id, note=note, refers_to=refers_to, receipt=receipt,
        )  # fmt: skip

    def _commit(self, event: CheckInEvent, *, provisional: Attendee | None = None) -> CheckInEvent:
        offset = self._checkin.store.get_meta("server_offset_ms")
        return self._checkin.store.records.append_event(
            event, provisional=provisional, server_offset_ms=int(offset) if offset else None
        )

    def _flags(self, method: Method) -> frozenset[Flag]:
        if method in accepted_methods(self._checkin.project):
            return frozenset()
        return frozenset({Flag.METHOD_NOT_ACCEPTED})  # recorded anyway: the organizer decides

    def check_in(
        self, attendee: Attendee, *, direction: Direction | None, who: SignedIn, note: str,
        method: Method = Method.MANUAL, action: str = "manual",
        provisional: Attendee | None = None,
    ) -> Outcome:  # fmt: skip
        """A check-in/out by staff for a known person, decided by the desk's rules."""
        c = self._checkin
        now = c.clock()
        mode = {None: c.mode, Direction.IN: DeskMode.IN, Direction.OUT: DeskMode.OUT}[direction]
        decision = decide(
            project=c.project, now=now, mode=mode, policy=c.policy,
            history=c.store.records.history(c.project.number, attendee.id, desk_name=c.desk_name),
            provisional=provisional is not None or attendee.provisional,
        )  # fmt: skip
        zh = decision.message(name=attendee.name, lang="zh", this_desk=c.desk_name)
        en = decision.message(name=attendee.name, lang="en", this_desk=c.desk_name)
        if decision.kind is OutcomeKind.ALREADY_RECORDED:
            return Outcome(Status.ALREADY, zh, en, decision=decision, attendee=attendee,
                           action=action)  # fmt: skip
        if not decision.records or decision.direction is None:
            return refused(decision.kind.value, action=action, attendee=attendee)
        event = self._event(
            attendee.id, direction=decision.direction, method=method, who=who, note=note,
            now=now, flags=decision.flags | self._flags(method),
        )  # fmt: skip
        stored = self._commit(event, provisional=provisional)
        log.info("%s by %s: %s seq=%d %s", action, who.staff_id, stored.direction.value,
                 stored.seq, attendee.document.masked())  # fmt: skip
        return Outcome(Status.ACCEPTED, zh, en, decision=decision, event=stored,
                       attendee=attendee, action=action)  # fmt: skip

    def manual(
        self, attendee_id: str, *, direction: Direction | None, reason: str, who: SignedIn
    ) -> Outcome:
        """A MANUAL record with the member and the reason (flagged if the project excludes it)."""
        note = _note(reason)
        if note is None:
            return refused("reason_required" if not reason.strip() else "bad_text", action="manual")
        c = self._checkin
        person = c.store.roster.get_attendee(c.project.number, attendee_id)
        if person is None:
            return refused("unknown_attendee", action="manual")
        return self.check_in(person, direction=direction, who=who, note=note)

    def register_walk_in(self, form: WalkInForm, *, who: SignedIn) -> Outcome:
        """A provisional attendee from the form and their check-in, by the signed-in member."""
        check = check_document(form.doc_type, form.number)
        if not check.ok:
            return refused(check.reason, action="walk_in")
        document = validate_document(form.doc_type, form.number)
        name = form.name.strip()
        if not name:
            return refused("name_required", action="walk_in")
        fields = (name, form.unit, form.department, form.title)
        if any(has_forbidden_characters(f) or len(f) > 200 for f in fields):
            return refused("bad_text", action="walk_in")
        c = self._checkin
        known = c.store.roster.find_by_document(c.project.number, document.number)
        if known is not None:
            return refused("on_roster", action="walk_in", attendee=known)
        person = Attendee(
            id=f"P-{new_uuid()}", document=document, name=name, unit=form.unit.strip(),
            department=form.department.strip(), title_series=form.title.strip(), provisional=True,
        )  # fmt: skip
        return self.check_in(
            person, direction=Direction.IN, who=who, note="walk-in registered at the desk",
            action="walk_in", provisional=person,
        )  # fmt: skip

    def phone_code(
        self, attendee_id: str, *, code: str, direction: Direction | None, who: SignedIn
    ) -> Outcome:
        """A check-in by the one-time code on the attendee's phone (method QR: the same secret)."""
        c = self._checkin
        number = c.project.number
        person = c.store.roster.get_attendee(number, attendee_id)
        if person is None:
            return refused("unknown_attendee", action="phone_code")
        secret = c.store.keys.attendee_secret(number, attendee_id)
        if secret is None:
            return refused("no_phone_code", action="phone_code", attendee=person)
        now = c.clock()
        slot = matching_slot(code, project=number, attendee_id=attendee_id, secret=secret, now=now)
        if slot is None:
            return refused("wrong_code", action="phone_code", attendee=person)
        if not c.store.keys.claim(project=number, attendee_id=attendee_id, slot=slot, now=now):
            return refused("code_used", action="phone_code", attendee=person)
        return self.check_in(
            person, direction=direction, who=who, method=Method.QR, action="phone_code",
            note="one-time code from the attendee's phone, typed by staff",
        )  # fmt: skip

    def void_last(self, attendee_id: str, *, reason: str, who: SignedIn) -> Outcome:
        """Undo the person's last standing record, if it is this desk's: a signed void record."""
        note = _note(reason)
        if note is None:
            return refused("reason_required" if not reason.strip() else "bad_text", action="void")
        c = self._checkin
        person = c.store.roster.get_attendee(c.project.number, attendee_id)
        if person is None:
            return refused("unknown_attendee", action="void")
        standing = c.store.records.attendance(c.project.number, attendee_id,
                                              desk_name=c.desk_name)  # fmt: skip
        if not standing:
            return refused("nothing_to_void", action="void", attendee=person)
        last = standing[-1]
        if not last.own:
            return refused("not_own_record", action="void", attendee=person)
        event = self._event(
            attendee_id, direction=last.direction, method=Method.MANUAL, who=who, note=note,
            now=c.clock(), kind=RecordKind.VOID, refers_to=last.uuid,
        )  # fmt: skip
        stored = self._commit(event)
        verb_zh = "签到" if last.direction is Direction.IN else "签退"
        verb_en = "check-in" if last.direction is Direction.IN else "check-out"
        when = format_local(last.scanned_at)
        log.info("void by %s of %s (seq=%d)", who.staff_id, last.uuid, stored.seq)
        return Outcome(
            Status.ACCEPTED, f"已撤销 {person.name} {when} 的{verb_zh}",
            f"{person.name}'s {verb_en} at {when} undone", event=stored, attendee=person,
            action="void",
        )  # fmt: skip

    def dispute(
        self, attendee_id: str, *, words: str, receipt: str | None, who: SignedIn
    ) -> Outcome:
        """The attendee's dispute in their words (and receipt text): the organizer's anomaly."""
        note = _note(words)
        if note is None:
            return refused("words_required" if not words.strip() else "bad_text",
                           action="dispute")  # fmt: skip
        shown = receipt.strip() if receipt else None
        if shown is not None and (len(shown) > 600 or has_forbidden_characters(shown)):
            return refused("bad_text", action="dispute")
        c = self._checkin
        person = c.store.roster.get_attendee(c.project.number, attendee_id)
        if person is None:
            return refused("unknown_attendee", action="dispute")
        records = c.store.records.attendance(c.project.number, attendee_id,
                                             desk_name=c.desk_name)  # fmt: skip
        about = records[-1] if records else None
        refers_to = about.uuid if about else None
        if shown:
            try:
                refers_to = parse_receipt(shown).receipt.record_uuid
            except WireError:
                log.warning("dispute: the receipt shown is not a readable receipt")
            about = next((r for r in records if r.uuid == refers_to), about)
        event = self._event(
            attendee_id, direction=about.direction if about else Direction.IN,
            method=Method.MANUAL, who=who, note=note, now=c.clock(), kind=RecordKind.DISPUTE,
            refers_to=refers_to, receipt=shown or None,
        )  # fmt: skip
        stored = self._commit(event)
        log.info("dispute recorded by %s (seq=%d)", who.staff_id, stored.seq)
        return Outcome(
            Status.ACCEPTED, f"已记录 {person.name} 的申诉，将交主办方核查",
            f"{person.name}'s dispute recorded for the organizer", event=stored,
            attendee=person, action="dispute",
        )  # fmt: skip
