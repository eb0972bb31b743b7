"""The organizer's side: the execution report and its window, project status, corrections."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from sync.protocol.devices import DeskCompleteness
from sync.protocol.wire import (
    MAX_BATCH,
    MAX_REPORT_LINES,
    MAX_SEQ,
    NO_NUL,
    Ident,
    IsoInstant,
    Uuid,
    Wire,
    free_text,
    plain,
)

Hours = Annotated[Decimal, Field(strict=False, ge=0, le=1000, max_digits=7, decimal_places=2)]
Credits = Annotated[Decimal, Field(strict=False, ge=0, le=100, max_digits=6, decimal_places=2)]


class ReportLine(Wire):
    """One attendee's result in the execution report (the credits engine fills these)."""

    attendee_id: Ident
    role: Literal["participant", "speaker"]
    hours: Hours
    assessment: Literal["passed", "failed", "not_required", "missing"]
    score: Annotated[Decimal, Field(strict=False, ge=0, le=1000, max_digits=7)] | None = None
    credits: Credits
    notes: Annotated[str, free_text(500)] = ""


class ExecutionReport(Wire):
    """POST /api/v1/projects/{number}/submission: the project's execution report."""

    project: Ident
    profile: Annotated[str, plain(64, 1)]
    lines: Annotated[list[ReportLine], Field(max_length=MAX_REPORT_LINES)]


class SubmissionWindow(Wire):
    """When a project's report is accepted (the profile's zone and N), and whether it is now."""

    project: str
    opens_at: datetime  # the end of the project's last session
    deadline: datetime  # exclusive: the end of the last accepted day
    deadline_day: date  # the last day on which a submission is accepted
    days: int  # N: days after the last day, from the province profile
    # closing: still open, in its last days (the profile's last reminder on)
    state: Literal["not_open", "open", "closing", "closed"]
    days_left: int  # whole local days left including today (0 once closed)
    submitted_at: datetime | None


class SubmissionAnswer(Wire):
    """An accepted submission."""

    submission_id: int
    project: str
    accepted_at: datetime
    deadline: datetime
    lines: int


class RefusedRecord(Wire):
    """A record the organizer must know of although the platform does not hold it.

    `by` "platform": refused because its desk had been retired or revoked (a seq above the one
    frozen then); "desk": the desk gave up on it (a dead letter) and sent its signed stub.
    """

    device_id: str
    desk_name: str
    seq: int
    uuid: str
    reason: str
    by: Literal["platform", "desk"]


class LedgerLine(Wire):
    """One attendee under the yearly cap, as their project's organizer may see it.

    Only this project's own figures: no other project is named or counted out.
    """

    attendee_id: str
    left_before: Credits | None  # credits left under the cap before this project (None: no cap)
    exempt: bool  # the profile's exemption (primary-care staff) lifts the cap
    granted: Credits | None  # this project's accepted grant (None: not submitted yet)
    cut: Credits  # what the cap took from this project's grant (0 when nothing)


class LedgerStanding(Wire):
    """GET /api/v1/projects/{number}/ledger: the credit year and yearly cap per attendee."""

    project: str
    profile: str
    credit_year: int
    kind: str  # the project's form: the cap that applies to it
    cap: Credits | None  # the form's yearly cap under the profile (None: no cap)
    cap_source: str
    lines: list[LedgerLine]


class ProjectStatus(Wire):
    """Counts, every desk's completeness, conflicts and the submission window."""

    project: str
    attendees: int
    events: int
    denied: int
    conflicts: int
    desks: list[DeskCompleteness]
    complete: bool  # no desk blocks the submission
    window: SubmissionWindow
    corrections: int = 0  # the organizer's uploaded corrections (audit)
    refused_records: list[RefusedRecord] = Field(default_factory=list)


# A correction's before/after state: short plain keys; text (no NUL, no lone surrogate: every
# text is checked by its pattern), whole numbers in the seq range, or null.
StateKey = Annotated[str, plain(64, 1)]
StateValue = Annotated[str, free_text(2000)] | Annotated[int, Field(ge=-MAX_SEQ, le=MAX_SEQ)] | None

CorrectionKindName = Literal["add_checkout", "add_checkin", "void_record", "merge_provisional"]


class CorrectionEntry(Wire):
    """One organizer correction: who changed what, when and why, with the state before/after."""

    id: Uuid  # stable per correction: a re-upload is answered duplicate
    kind: CorrectionKindName
    by: Annotated[str, plain(100, 1)]
    made_at: IsoInstant  # when the organizer made it
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=NO_NUL)]
    attendee_id: Annotated[str, plain(64)] | None = None  # the platform's reference
    into_attendee_id: Annotated[str, plain(64)] | None = None  # merge: the roster entry
    record_id: Annotated[str, plain(64)] = ""  # void: the record's uuid; add: the new one's
    moment: IsoInstant | None = None  # add: the time of the added record
    before: Annotated[dict[StateKey, StateValue], Field(max_length=20)]
    after: Annotated[dict[StateKey, StateValue], Field(max_length=20)]


class CorrectionBatch(Wire):
    """POST /api/v1/projects/{number}/corrections."""

    corrections: Annotated[list[CorrectionEntry], Field(min_length=1, max_length=MAX_BATCH)]


class StoredCorrection(Wire):
    """A correction as the platform keeps it (GET …/corrections)."""

    entry: CorrectionEntry
    device_id: str
    received_at: datetime


class CorrectionList(Wire):
    """GET /api/v1/projects/{number}/corrections: every correction, oldest first."""

    project: str
    corrections: list[StoredCorrection]
