"""The check-in service: resolve a credential, decide, commit, then tell the desk what happened."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.core.checkin import CheckInPolicy, Decision, OutcomeKind, decide
from kiosk.core.codes.receipt import Receipt
from kiosk.core.errors import StorageUnavailable
from kiosk.core.ids import IdentityDocument
from kiosk.core.model import (
    Attendee,
    CheckInEvent,
    DeskMode,
    Method,
    Project,
    Status,
    new_uuid,
)
from kiosk.core.timeutil import Clock, local_day, offset_minutes, utc_now
from sync.store import Store

log = logging.getLogger(__name__)

# Status lives in kiosk.core.model (the window's theme needs it without sync.store); the desk's
# modules still import it from here.
__all__ = ["CheckInService", "Credential", "Outcome", "Status"]


@dataclass(frozen=True, slots=True)
class Credential:
    """What the person presented, already parsed by a driver or verifier."""

    method: Method
    document: IdentityDocument | None = None
    name: str = ""
    valid_to: date | None = None  # None: no expiry known or 长期
    uid: str | None = None
    attendee_id: str | None = None
    evidence: bytes | None = None  # a face crop (JPEG) kept with the record

    @classmethod
    def id_card(
        cls, *, document: IdentityDocument, name: str = "", valid_to: date | None = None
    ) -> Credential:
        """A resident ID / permit card read by a SAM reader."""
        return cls(Method.ID_CARD, document=document, name=name, valid_to=valid_to)

    @classmethod
    def card_uid(cls, uid: str) -> Credential:
        """A Mifare / staff card UID, already formatted as the roster stores it."""
        return cls(Method.IC_CARD, uid=uid)

    @classmethod
    def attendee(
        cls, attendee_id: str, *, method: Method, evidence: bytes | None = None
    ) -> Credential:
        """A verified QR ticket / rotating code, or a face match, naming a roster entry."""
        return cls(method, attendee_id=attendee_id, evidence=evidence)

    @classmethod
    def manual(cls, document: IdentityDocument) -> Credential:
        """A document number typed by staff."""
        return cls(Method.MANUAL, document=document)

    def audit_text(self) -> str:
        """The credential as text, for the keyed HMAC of a denied attempt (never stored raw)."""
        if self.document is not None:
            return f"{self.document.type.value}:{self.document.number}"
        if self.uid is not None:
            return f"uid:{self.uid}"
        return f"attendee:{self.attendee_id}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one presentation, for the screen and the tests."""

    status: Status
    message_zh: str
    message_en: str
    decision: Decision | None = None
    event: CheckInEvent | None = None
    attendee: Attendee | None = None
    reason: str = ""
    at: datetime | None = None  # the desk clock when answered (the screen shows this, not the PC's)
    photo: bytes | None = None  # a face crop (JPEG) to show beside the name
    receipt: Receipt | None = None  # at check-out: the hours counted today, signed (QR text)
    action: str = ""  # a staff action's name (manual, walk_in, void, dispute, …); "" for a tap

    def message(self, lang: str) -> str:
        """The line for the screen in the desk's language."""
        return self.message_zh if lang == "zh" else self.message_en


class CheckInService:
    """Serialises presentations at one desk; every accepted record is committed before returning."""

    def __init__(
        self,
        *,
        store: Store,
        project: Project,
        device_id: str,
        desk_name: str,
        mode: DeskMode = DeskMode.AUTO,
        policy: CheckInPolicy | None = None,
        clock: Clock = utc_now,
        denied_key: bytes | None = None,
    ):
        self.store = store
        self.project = project
        self.device_id = device_id
        self.desk_name = desk_name
        self.mode = mode
        self.policy = policy or CheckInPolicy()
        self._clock = clock
        self._denied_key = denied_key  # the platform's key for HMACs of refused credentials
        self._lock = threading.Lock()

    @property
    def clock(self) -> Clock:
        """The desk's clock; code verification reads the same one, so both move together."""
        return self._clock

    def present(self, credential: Credential, *, now: datetime | None = None) -> Outcome:
        """Handle one scan/tap/face from any thread; the answer is final when this returns."""
        moment = now or self._clock()
        with self._lock:
            try:
                return self._present(credential, moment)
            except StorageUnavailable as exc:
                log.error("check-in not recorded: %s", exc.detail)
                return Outcome(Status.ERROR, exc.screen_zh, exc.screen_en, reason="storage")

    def _present(self, cred: Credential, now: datetime) -> Outcome:
        if cred.method not in self.project.checkin.methods:
            return self._refuse(
                cred,
                now,
                reason="method_not_allowed",
                zh="本项目不接受此签到方式",
                en="This project does not accept this method",
            )
        attendee, provisional = self._resolve(cred)
        if attendee is None:
            if cred.method is Method.IC_CARD:
                return self._refuse(
                    cred,
                    now,
                    reason="unknown_card",
                    zh="卡片未登记，请联系工作人员",
                    en="Card not registered — please see staff",
                )
            return self._refuse(
                cred,
                now,
                reason="unknown_attendee",
                zh="未找到报名信息，请联系工作人员",
                en="Not on the roster — please see staff",
            )
        expired = cred.valid_to is not None and cred.valid_to < local_day(now)
        history = self.store.records.history(
            self.project.number, attendee.id, desk_name=self.desk_name
        )
        decision = decide(
            project=self.project,
            now=now,
            mode=self.mode,
            history=history,
            policy=self.policy,
            document_expired=expired,
            provisional=provisional is not None or attendee.provisional,
        )
        zh = decision.message(name=attendee.name, lang="zh", this_desk=self.desk_name)
        en = decision.message(name=attendee.name, lang="en", this_desk=self.desk_name)
        if not decision.records:
            if decision.kind is OutcomeKind.ALREADY_RECORDED:
                return Outcome(Status.ALREADY, zh, en, decision=decision, attendee=attendee)
            self._deny(cred, now, reason=decision.kind.value, detail=zh)
            return Outcome(
                Status.REFUSED,
                zh,
                en,
                decision=decision,
                attendee=attendee,
                reason=decision.kind.value,
            )
        assert decision.direction is not None
        evidence_ref = new_uuid() if cred.evidence else None
        event = CheckInEvent(
            uuid=new_uuid(),
            project=self.project.number,
            attendee_id=attendee.id,
            direction=decision.direction,
            method=cred.method,
            device_id=self.device_id,
            seq=1,  # replaced by the store's next sequence number inside the commit
            scanned_at=now,
            utc_offset_minutes=offset_minutes(now.astimezone()),
            evidence_ref=evidence_ref,
            flags=decision.flags,
        )
        stored = self.store.records.append_event(
            event,
            provisional=provisional,
            evidence=("face_crop", cred.evidence) if cred.evidence and evidence_ref else None,
            server_offset_ms=self._server_offset_ms(),
        )
        log.info(
            "recorded %s seq=%d %s %s",
            stored.direction.value,
            stored.seq,
            cred.method.value,
            attendee.document.masked(),
        )
        return Outcome(
            Status.ACCEPTED,
            zh,
            en,
            decision=decision,
            event=stored,
            attendee=attendee,
            photo=cred.evidence,
        )

    def _resolve(self, cred: Credential) -> tuple[Attendee | None, Attendee | None]:
        """(attendee, provisional walk-in to create) for a credential."""
        number = self.project.number
        if cred.document is not None:
            found = self.store.roster.find_by_document(number, cred.document.number)
            if found is not None:
                return found, None
            if cred.method is Method.ID_CARD:
                # A valid card not on the roster is a walk-in: admitted provisionally, flagged.
                walk_in = Attendee(
                    id=f"P-{new_uuid()}",
                    document=cred.document,
                    name=cred.name or cred.document.masked(),
                    provisional=True,
                )
                return walk_in, walk_in
            return None, None
        if cred.uid is not None:
            return self.store.roster.find_by_card_uid(number, cred.uid), None
        if cred.attendee_id is not None:
            return self.store.roster.get_attendee(number, cred.attendee_id), None
        return None, None

    def _server_offset_ms(self) -> int | None:
        value = self.store.get_meta("server_offset_ms")
        return int(value) if value is not None else None

    def _refuse(self, cred: Credential, now: datetime, *, reason: str, zh: str, en: str) -> Outcome:
        try:
            self._deny(cred, now, reason=reason, detail=en)
        except StorageUnavailable as exc:
            log.error("refused attempt not recorded: %s", exc.detail)
        return Outcome(Status.REFUSED, zh, en, reason=reason)

    def _deny(self, cred: Credential, now: datetime, *, reason: str, detail: str) -> None:
        self.deny(
            method=cred.method,
            reason=reason,
            credential_text=cred.audit_text(),
            detail=detail,
            now=now,
        )

    def deny(
        self,
        *,
        method: Method,
        reason: str,
        credential_text: str,
        detail: str = "",
        now: datetime | None = None,
    ) -> None:
        """Keep a refused or suspicious attempt for the audit trail (credential only as an HMAC)."""
        moment = now or self._clock()
        digest = None
        if self._denied_key is not None:
            digest = hmac.new(
                self._denied_key, credential_text.encode(), hashlib.sha256
            ).hexdigest()
        self.store.records.record_denied(
            uuid=new_uuid(),
            project=self.project.number,
            method=method,
            reason=reason,
            detail=detail,
            credential_hmac=digest,
            device_id=self.device_id,
            at=moment,
            utc_offset_minutes=offset_minutes(moment.astimezone()),
        )
        log.warning("refused %s attempt: %s", method.value, reason)
