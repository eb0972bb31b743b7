"""The workspace's catalogue: codes from the Qt-free service become (translated) sentences.

Source texts are English; assets/i18n/cme_kiosk_zh_CN.ts gives Chinese, as for the desk.
"""

from __future__ import annotations

from kiosk.core.credits.corrections import CorrectionKind
from kiosk.core.credits.records import CreditFlag
from kiosk.core.credits.submission import WindowState
from kiosk.reports.anomalies import AnomalyKind
from kiosk.reports.pulled import NotHeld
from kiosk.reports.staff_review import About
from kiosk.services.organizer_view import ActionResult, Refusal
from kiosk.ui.organizer.common import clock
from kiosk.ui.texts import QT_TRANSLATE_NOOP, translate

ORG = "Organizer"

SCREENS = (
    QT_TRANSLATE_NOOP("Organizer", "Overview"),
    QT_TRANSLATE_NOOP("Organizer", "Attendance"),
    QT_TRANSLATE_NOOP("Organizer", "Anomalies"),
    QT_TRANSLATE_NOOP("Organizer", "Assessment"),
    QT_TRANSLATE_NOOP("Organizer", "Credits"),
    QT_TRANSLATE_NOOP("Organizer", "Export"),
    QT_TRANSLATE_NOOP("Organizer", "Submit"),
    QT_TRANSLATE_NOOP("Organizer", "Staff"),
)

ROLES = {
    "staff": QT_TRANSLATE_NOOP("Organizer", "Desk staff"),
    "lead": QT_TRANSLATE_NOOP("Organizer", "Desk lead"),
}

STAFF_KINDS = {
    "void": QT_TRANSLATE_NOOP("Organizer", "void"),
    "dispute": QT_TRANSLATE_NOOP("Organizer", "dispute"),
    "manual": QT_TRANSLATE_NOOP("Organizer", "manual record"),
    "dismiss": QT_TRANSLATE_NOOP("Organizer", "failed attempt dismissed"),
}


ABOUT = {
    "voided": QT_TRANSLATE_NOOP("Organizer", "the %1 at %2"),
    "voided_unknown": QT_TRANSLATE_NOOP("Organizer", "record %1 (not pulled)"),
    "no_receipt": QT_TRANSLATE_NOOP("Organizer", "no receipt shown"),
    "receipt_unreadable": QT_TRANSLATE_NOOP("Organizer", "receipt unreadable"),
    "receipt_unknown_desk": QT_TRANSLATE_NOOP("Organizer", "receipt of an unknown desk %1"),
    "receipt_forged": QT_TRANSLATE_NOOP("Organizer", "receipt NOT genuine (forged or altered)"),
    "receipt_genuine": QT_TRANSLATE_NOOP("Organizer", "genuine receipt: %1 h counted at check-out"),
}

DIRECTIONS = {
    "in": QT_TRANSLATE_NOOP("Organizer", "check-in"),
    "out": QT_TRANSLATE_NOOP("Organizer", "check-out"),
}

METHODS = {
    "id_card": QT_TRANSLATE_NOOP("Organizer", "ID card"),
    "ic_card": QT_TRANSLATE_NOOP("Organizer", "IC card"),
    "qr": QT_TRANSLATE_NOOP("Organizer", "QR code"),
    "face": QT_TRANSLATE_NOOP("Organizer", "face"),
    "manual": QT_TRANSLATE_NOOP("Organizer", "manual"),
}


def direction_text(direction: str) -> str:
    """Check-in or check-out in words (an unknown code as it is)."""
    return translate(ORG, DIRECTIONS[direction]) if direction in DIRECTIONS else direction


def method_text(method: str) -> str:
    """A check-in method's name."""
    return translate(ORG, METHODS[method]) if method in METHODS else method


def about_line(about: About | None) -> str:
    """What a void or dispute is about, in words ("" for none)."""
    if about is None:
        return ""
    text = translate(ORG, ABOUT[about.code])
    if about.code == "voided":
        return fill(text, direction_text(about.direction), clock(about.at))
    if about.code == "receipt_genuine":
        return fill(text, f"{about.hours:.2f}")
    return fill(text, about.ref)


def role_text(role: str) -> str:
    """A staff member's role in words (an unknown one as it is)."""
    return translate(ORG, ROLES[role]) if role in ROLES else role


def staff_kind_text(kind: str) -> str:
    """A staff record's kind in words."""
    return translate(ORG, STAFF_KINDS[kind]) if kind in STAFF_KINDS else kind


def not_held_text(record: NotHeld) -> str:
    """One record the platform refused or does not hold, for the Anomalies screen."""
    if record.by == "platform":
        why = translate(
            "Organizer", "refused by the platform: the desk had been retired or revoked"
        )
    else:
        why = translate("Organizer", "given up by the desk (it sent a signed refusal stub)")
    return fill(translate("Organizer", "Desk %1, record %2: %3 (%4)"), record.desk_name, record.seq,
                why, record.reason)  # fmt: skip


WINDOW_STATES = {
    WindowState.NOT_OPEN: QT_TRANSLATE_NOOP("Organizer", "Not open yet"),
    WindowState.OPEN: QT_TRANSLATE_NOOP("Organizer", "Open"),
    WindowState.CLOSING: QT_TRANSLATE_NOOP("Organizer", "Closing"),
    WindowState.CLOSED: QT_TRANSLATE_NOOP("Organizer", "Closed"),
}

FLAGS = {
    CreditFlag.MISSING_CHECKOUT: QT_TRANSLATE_NOOP("Flag", "missing check-out"),
    CreditFlag.CHECKOUT_ASSUMED: QT_TRANSLATE_NOOP("Flag", "check-out to confirm"),
    CreditFlag.OUT_WITHOUT_IN: QT_TRANSLATE_NOOP("Flag", "missing check-in"),
    CreditFlag.CONFLICT: QT_TRANSLATE_NOOP("Flag", "desks' records merged"),
    CreditFlag.PROVISIONAL: QT_TRANSLATE_NOOP("Flag", "walk-in"),
    CreditFlag.EXPIRED_DOCUMENT: QT_TRANSLATE_NOOP("Flag", "expired document"),
    CreditFlag.OUTSIDE_PROJECT_DAYS: QT_TRANSLATE_NOOP("Flag", "record outside the days"),
    CreditFlag.NO_SESSION_TIME: QT_TRANSLATE_NOOP("Flag", "no time in a session"),
    CreditFlag.METHOD_NOT_ACCEPTED: QT_TRANSLATE_NOOP("Flag", "method not accepted"),
    CreditFlag.SPEAKER_NOT_SCHEDULED: QT_TRANSLATE_NOOP("Flag", "speaker not scheduled"),
    CreditFlag.ASSESSMENT_PENDING: QT_TRANSLATE_NOOP("Flag", "results not imported"),
    CreditFlag.ASSESSMENT_MISSING: QT_TRANSLATE_NOOP("Flag", "no result"),
    CreditFlag.ASSESSMENT_FAILED: QT_TRANSLATE_NOOP("Flag", "failed"),
    CreditFlag.PROJECT_CAP: QT_TRANSLATE_NOOP("Flag", "project cap"),
    CreditFlag.YEARLY_CAP: QT_TRANSLATE_NOOP("Flag", "yearly cap"),
    CreditFlag.ABSENT: QT_TRANSLATE_NOOP("Flag", "absent"),
    CreditFlag.CORRECTED: QT_TRANSLATE_NOOP("Flag", "corrected by the organizer (manual)"),
}

ANOMALIES = {
    AnomalyKind.MISSING_CHECKOUT: QT_TRANSLATE_NOOP("Anomaly", "Missing check-out"),
    AnomalyKind.MISSING_CHECKIN: QT_TRANSLATE_NOOP("Anomaly", "Missing check-in"),
    AnomalyKind.WALK_IN: QT_TRANSLATE_NOOP("Anomaly", "Walk-in"),
    AnomalyKind.EXPIRED_DOCUMENT: QT_TRANSLATE_NOOP("Anomaly", "Expired document"),
    AnomalyKind.METHOD_NOT_ACCEPTED: QT_TRANSLATE_NOOP("Anomaly", "Method not accepted"),
    AnomalyKind.VOID: QT_TRANSLATE_NOOP("Anomaly", "Void record"),
    AnomalyKind.DISPUTE: QT_TRANSLATE_NOOP("Anomaly", "Attendee dispute"),
}

FIXES = {
    CorrectionKind.ADD_CHECKOUT: QT_TRANSLATE_NOOP("Anomaly", "Add the check-out"),
    CorrectionKind.ADD_CHECKIN: QT_TRANSLATE_NOOP("Anomaly", "Add the check-in"),
    CorrectionKind.VOID_RECORD: QT_TRANSLATE_NOOP("Anomaly", "Void the record"),
    CorrectionKind.MERGE_PROVISIONAL: QT_TRANSLATE_NOOP("Anomaly", "Merge into the roster entry"),
}

REFUSALS = {
    "offline": QT_TRANSLATE_NOOP("Refusal", "The platform cannot be reached: submit when online"),
    "not_open": QT_TRANSLATE_NOOP(
        "Refusal", "The window is not open yet: it opens at %1, when the last session ends"
    ),
    "closed": QT_TRANSLATE_NOOP(
        "Refusal", "The deadline %1 has passed: the platform refuses late reports"
    ),
    "blocked": QT_TRANSLATE_NOOP("Refusal", "%1 anomalies block the submission: resolve them"),
    "desk": QT_TRANSLATE_NOOP("Refusal", "Desk %1 has not delivered all its records (missing %2)"),
    "lines": QT_TRANSLATE_NOOP("Refusal", "The report cannot be made: %1"),
}

RESULTS = {
    "offline": QT_TRANSLATE_NOOP("Result", "Offline: showing the last pulled data"),
    "invalid": QT_TRANSLATE_NOOP("Result", "Not done: %1"),
    "platform_refused": QT_TRANSLATE_NOOP("Result", "The platform refused: %1"),
    "file": QT_TRANSLATE_NOOP("Result", "File problem: %1"),
    "internal": QT_TRANSLATE_NOOP("Result", "Something went wrong (%1): see the log"),
    "saved": QT_TRANSLATE_NOOP("Result", "Correction saved; it is sent with the submission"),
    "uploaded": QT_TRANSLATE_NOOP("Result", "Correction saved and sent to the platform"),
    "bad_rows": QT_TRANSLATE_NOOP("Result", "%1: %2 bad line(s); nothing imported"),
    "imported": QT_TRANSLATE_NOOP("Result", "%1 results imported: %2 passed, %3 failed"),
    "passed": QT_TRANSLATE_NOOP("Result", "Marked as passed"),
    "failed": QT_TRANSLATE_NOOP("Result", "Marked as failed"),
    "written": QT_TRANSLATE_NOOP("Result", "Written: %1"),
    "full_ids": QT_TRANSLATE_NOOP("Result", "Written with full ID numbers: %1"),
    "refused": QT_TRANSLATE_NOOP("Result", "Not submitted: see the reasons above"),
    "corrections_refused": QT_TRANSLATE_NOOP("Result", "Not submitted: %1"),
    "accepted": QT_TRANSLATE_NOOP("Result", "Submitted: receipt number %1"),
    "refreshed": QT_TRANSLATE_NOOP("Result", "Up to date with the platform"),
}


def fill(text: str, *values: object) -> str:
    """Qt's %1, %2 … replaced by `values` (after translation)."""
    for i, value in enumerate(values, start=1):
        text = text.replace(f"%{i}", str(value))
    return text


def flag_text(flag: CreditFlag) -> str:
    """A flag's label."""
    return translate("Flag", FLAGS[flag])


def anomaly_text(kind: AnomalyKind) -> str:
    """An anomaly kind's name."""
    return translate("Anomaly", ANOMALIES[kind])


def fix_text(kind: CorrectionKind) -> str:
    """What resolving an anomaly does."""
    return translate("Anomaly", FIXES[kind])


def refusal_text(refusal: Refusal) -> str:
    """Why the workspace does not submit now."""
    return fill(translate("Refusal", REFUSALS[refusal.code]), *refusal.values)


def state_text(state: WindowState) -> str:
    """The window's state."""
    return translate("Organizer", WINDOW_STATES[state])


def entered_text(who: str) -> str:
    """A record's author: a desk's name, or the organizer who added it by a correction."""
    prefix = "organizer: "
    if who.startswith(prefix):
        return fill(translate("Organizer", "organizer %1 (manual)"), who[len(prefix) :])
    return fill(translate("Organizer", "desk %1"), who)


def result_text(result: ActionResult) -> str:
    """One line about an action's outcome."""
    if result.action in ("open", "refresh") and result.ok and result.code != "offline":
        return translate("Result", RESULTS["refreshed"])
    source = RESULTS.get(result.code, RESULTS["internal"])
    text = translate("Result", source)
    v = result.values
    if result.code == "bad_rows":
        return fill(text, v.get("file", ""), v.get("count", ""))
    if result.code == "imported":
        return fill(text, v.get("count", ""), v.get("passed", ""), v.get("failed", ""))
    if result.code in ("written", "full_ids"):
        return fill(text, result.path)
    if result.code == "accepted":
        return fill(text, result.receipt)
    return fill(text, result.detail or result.code)
