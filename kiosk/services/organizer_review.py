"""What the workspace works out from the pulled copy: the review and everything derived from it.

Computed on the workspace's worker thread and kept between opens (kiosk.services.organizer_cache):
everything here depends only on the pulled copy, the profile, the corrections and the results,
never on the time (the window and the deadline are worked out again for each view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.core.credits.exports import submission_lines
from kiosk.core.credits.records import Person
from kiosk.core.credits.review import ReviewTable
from kiosk.core.rules.schema import Profile
from kiosk.reports.anomalies import AnomalyItem, anomalies
from kiosk.reports.charts import Charts, charts
from kiosk.reports.organizer_data import Pulled, Revision, build_corrected
from kiosk.reports.pulled import NotHeld, StaffMember
from kiosk.reports.search import SearchIndex
from kiosk.reports.staff_review import StaffNote
from kiosk.reports.workspace import Workspace
from kiosk.services.organizer_cache import ReviewCache, cache_key, file_bytes
from kiosk.services.organizer_records import record_index
from kiosk.services.organizer_view import RecordInfo


@dataclass(frozen=True, slots=True)
class Computed:
    """What the engine and the review work out from the pulled copy: kept between opens."""

    table: ReviewTable  # its window and deadline are those of when it was computed
    anomalies: tuple[AnomalyItem, ...]
    charts: Charts
    records: dict[str, tuple[RecordInfo, ...]]
    entered_by: dict[tuple[str, datetime], str]
    no_result: tuple[Person, ...]
    lines: tuple[dict[str, object], ...]
    lines_error: str
    refs: dict[str, str]  # ID number → the platform's reference
    staff: tuple[StaffNote, ...]
    members: tuple[StaffMember, ...]
    not_held: tuple[NotHeld, ...]
    search: SearchIndex | None = None


def compute(pulled: Pulled, ws: Workspace, profile: Profile, *, now: datetime) -> Computed:
    """The review of `pulled` with the workspace's corrections (applied once) and results."""
    number = pulled.project.number
    table, records = build_corrected(pulled, ws, profile, now=now)
    corrections = ws.corrections(number)
    by_person, entered = record_index(records, corrections)
    try:
        lines, lines_error = tuple(submission_lines(table, pulled.refs)), ""
    except KeyError as exc:
        lines, lines_error = (), f"no platform reference for {exc.args[0][:3]}…"
    imported = ws.assessments(number)
    required = profile.forms.get(pulled.project.form).assessment_required.value
    no_result = tuple(
        r.person
        for r in table.rows
        if required and r.participant_hours > 0
        and (imported is None or r.person.id_number not in imported)
    )  # fmt: skip
    return Computed(
        table=table, anomalies=tuple(anomalies(table, pulled.staff)), charts=charts(table),
        records=by_person, entered_by=entered, no_result=no_result, lines=lines,
        lines_error=lines_error, refs=pulled.refs, staff=pulled.staff, members=pulled.members,
        not_held=pulled.not_held,
    )  # fmt: skip


class Results:
    """The workspace's last result, in memory and in `review.cache` (worker thread only)."""

    def __init__(self, ws: Workspace, number: str) -> None:
        self._directory = ws.directory(number)
        self._cache = ReviewCache(self._directory / "review.cache")
        self._last: tuple[str, Computed] | None = None  # the last result, by its key
        self._kept = ""  # the key of the result in the file

    def get(self, rev: Revision, profile: Profile, make: Callable[[], Computed]) -> Computed:
        """The result for the pulled copy `rev` under `profile` and the workspace's files: the
        last one when nothing changed, else the kept one, else `make()`."""
        key = cache_key(
            rev.digest, profile.model_dump_json(),
            file_bytes([self._directory / "corrections.json",
                        self._directory / "assessments.json"]),
        )  # fmt: skip
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        kept = self._cache.get(key, project=rev.project, profile=profile)
        if isinstance(kept, Computed):
            self._kept = key
            result = kept
        else:
            result = make()
        self._last = (key, result)
        return result

    def keep(self, search: SearchIndex | None) -> None:
        """Write the last result (with `search` when it indexes the same people) unless kept."""
        if self._last is None or self._last[0] == self._kept:
            return
        key, result = self._last
        people = {r.person.id_number for r in result.table.rows}
        people.update(p.id_number for p in result.table.absent)
        if search is not None and set(search.entries) != people:
            search = None
        if self._cache.put(key, replace(result, search=search)):
            self._kept = key
