"""What the organizer's tool calls: status, the submission window and report, corrections.

Every route refuses a retired device (403 device_retired), like the desks' pulls.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync import protocol as p
from sync.server import corrections, ledger, reports, walkins
from sync.server.deps import ActiveDev, PlatformDep, enrolled_for

router = APIRouter()
_PROJECT = f"{p.API_PREFIX}/projects/{{number}}"


@router.get(f"{_PROJECT}/status", response_model=p.ProjectStatus)
def project_status(number: str, dev: ActiveDev, platform: PlatformDep) -> p.ProjectStatus:
    """Counts, desks' completeness, conflicts and the submission window."""
    enrolled_for(dev, number)
    return reports.status(platform, number)


@router.get(f"{_PROJECT}/submission", response_model=p.SubmissionWindow)
def submission_window(number: str, dev: ActiveDev, platform: PlatformDep) -> p.SubmissionWindow:
    """When the execution report is accepted and how many days are left."""
    enrolled_for(dev, number)
    return reports.status(platform, number).window


@router.post(f"{_PROJECT}/submission", response_model=p.SubmissionAnswer)
def submit(
    number: str, body: p.ExecutionReport, dev: ActiveDev, platform: PlatformDep
) -> p.SubmissionAnswer:
    """The organizer's execution report (409 outside the window or with incomplete desks)."""
    return reports.submit(platform, dev, number, body)


@router.get(f"{_PROJECT}/ledger", response_model=p.LedgerStanding)
def ledger_standing(number: str, dev: ActiveDev, platform: PlatformDep) -> p.LedgerStanding:
    """Per attendee: credits left under the yearly cap before this project, and what it cut."""
    return ledger.standing(platform, dev, number)


@router.get(f"{_PROJECT}/walk-ins", response_model=p.WalkInList)
def list_walk_ins(number: str, dev: ActiveDev, platform: PlatformDep) -> p.WalkInList:
    """The identities behind the project's provisional attendees (its organizer only)."""
    return walkins.listing(platform, dev, number)


@router.post(f"{_PROJECT}/corrections", response_model=p.BatchAnswer)
def upload_corrections(
    number: str, body: p.CorrectionBatch, dev: ActiveDev, platform: PlatformDep
) -> p.BatchAnswer:
    """The organizer's corrections (idempotent by id); one answer per correction."""
    return corrections.store(platform, dev, number, body)


@router.get(f"{_PROJECT}/corrections", response_model=p.CorrectionList)
def list_corrections(number: str, dev: ActiveDev, platform: PlatformDep) -> p.CorrectionList:
    """Every correction of the project (organizer devices)."""
    corrections.organizer_of(dev, number)
    return corrections.listing(platform, number)
