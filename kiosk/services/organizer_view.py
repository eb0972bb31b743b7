"""What the organizer's workspace shows, as frozen values: the view and the answers to actions.

The workspace service (kiosk.services.organizer) makes them on its worker thread; the Qt bridge
hands them to the screens on the GUI thread. Nothing here is mutable or talks to Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from kiosk.core.credits.records import Person
from kiosk.core.credits.review import ReviewTable
from kiosk.core.credits.submission import SubmissionWindow, WindowState
from kiosk.reports.anomalies import AnomalyItem
from kiosk.reports.charts import Charts
from kiosk.reports.pulled import NotHeld, StaffMember
from kiosk.reports.search import SearchIndex
from kiosk.reports.staff_review import StaffNote

if TYPE_CHECKING:  # the wire models load with the client, after the first view
    from sync.protocol import DeskCompleteness, LedgerStanding


class RecordInfo(NamedTuple):
    """One of a person's records, for the detail panel and for voiding.

    A named tuple, not a frozen dataclass: a 5,000-person project makes 60,000 of them on every
    open, and a frozen dataclass's __init__ costs several times more.
    """

    record_id: str
    direction: str  # in | out
    at: datetime
    method: str
    entered_by: str  # the desk's name; "organizer: <who>" for a correction


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the workspace will not submit now: a code the screen translates, and its values."""

    code: str  # offline | not_open | closed | blocked | desks | submitted_elsewhere
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkspaceView:
    """Everything the screens show, as of one build of the review."""

    table: ReviewTable
    refs: Mapping[str, str]  # ID number → the platform's reference
    as_of: datetime | None  # the platform's clock at the last pull (the data's age)
    now: datetime  # the platform's clock (estimated offline) when the view was made
    online: bool
    window: SubmissionWindow
    anomalies: tuple[AnomalyItem, ...]
    charts: Charts
    records: Mapping[str, tuple[RecordInfo, ...]]  # per ID number, in time order
    entered_by: Mapping[tuple[str, datetime], str]  # (ID number, instant) → who recorded it
    no_result: tuple[Person, ...]  # attendees the assessment still needs a result for
    desks: tuple[DeskCompleteness, ...] | None = None  # from the platform (None: offline)
    ledger: LedgerStanding | None = None
    submitted_at: datetime | None = None
    lines: tuple[dict[str, object], ...] = ()  # exactly what a submission sends
    lines_error: str = ""  # why the lines cannot be made (an attendee with no reference)
    search: SearchIndex | None = None  # arrives after the first view (pypinyin is slow to load)
    staff: tuple[StaffNote, ...] = ()  # the desks' voids, disputes and manual records
    members: tuple[StaffMember, ...] = ()  # the project's named staff (names and roles)
    not_held: tuple[NotHeld, ...] = ()  # records the platform refused or does not hold

    def refusals(self) -> list[Refusal]:
        """Why a submission would be refused now ([]: it may be sent)."""
        out = []
        if not self.online:
            out.append(Refusal("offline"))
        w = self.window
        if w.state is WindowState.NOT_OPEN:
            out.append(Refusal("not_open", (f"{w.opens_at:%Y-%m-%d %H:%M}",)))
        elif w.state is WindowState.CLOSED:
            out.append(Refusal("closed", (w.deadline_day.isoformat(),)))
        blocking = [a for a in self.anomalies if a.blocking]
        if blocking:
            out.append(Refusal("blocked", (str(len(blocking)),)))
        for d in self.desks or ():
            if d.blocking:
                missing = str(d.missing) if d.reported else "?"
                out.append(Refusal("desk", (d.desk_name, missing)))
        if self.lines_error:
            out.append(Refusal("lines", (self.lines_error,)))
        return out


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The answer to one action (import, correction, export, submission, refresh)."""

    action: str  # open | refresh | correct | assess | mark | export_xlsx | export_pdf | submit
    ok: bool
    code: str = ""  # a stable reason the screen translates (e.g. platform_refused)
    detail: str = ""  # the platform's or the file's own words (shown as they are)
    errors: tuple[str, ...] = ()  # per line: "line 3: …"
    path: str = ""  # an export written
    receipt: int | None = None  # the platform's submission number
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Computing:
    """The review is being computed (seconds for a large project, new data) or has been."""

    active: bool
    people: int = 0  # on the roster, for the screen's estimate


WorkspaceEvent = WorkspaceView | ActionResult | Computing
