"""Attendance → hours → credits, by a rules profile: pure functions, exact arithmetic."""

from kiosk.core.credits.assessment import (
    Assessment,
    AssessmentImport,
    parse_assessment_csv,
    parse_assessment_table,
)
from kiosk.core.credits.calendar import (
    DeadlineLevel,
    DeadlineStatus,
    announcement_due,
    credit_year,
    credit_year_bounds,
    deadline_status,
    project_credit_year,
    submission_deadline,
)
from kiosk.core.credits.compute import (
    AttendeeCredits,
    SessionLine,
    compute_attendee,
    compute_project_credits,
)
from kiosk.core.credits.records import (
    AttendanceRecord,
    CreditFlag,
    Person,
    RowError,
    check_id_number,
    person_from_attendee,
    records_from_events,
)

__all__ = [
    "Assessment",
    "AssessmentImport",
    "AttendanceRecord",
    "AttendeeCredits",
    "CreditFlag",
    "DeadlineLevel",
    "DeadlineStatus",
    "Person",
    "RowError",
    "SessionLine",
    "announcement_due",
    "check_id_number",
    "compute_attendee",
    "compute_project_credits",
    "credit_year",
    "credit_year_bounds",
    "deadline_status",
    "parse_assessment_csv",
    "parse_assessment_table",
    "person_from_attendee",
    "project_credit_year",
    "records_from_events",
    "submission_deadline",
]
