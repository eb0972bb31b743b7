"""The desk's catalogue: every reason code the desk can meet, mapped to its (translated) words.

Drivers and services hand the screen stable codes (`Outcome.reason`, `Decision.kind`, an ID-card
error's `code`); this is the one place they become sentences. Source texts are English; Qt's
translator gives the desk's language (assets/i18n/cme_kiosk_zh_CN.ts).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from kiosk.core.checkin import OutcomeKind
from kiosk.core.model import DeskMode, Direction, Flag
from kiosk.core.timeutil import format_local
from kiosk.services.checkin import Outcome, Status
from kiosk.services.device_texts import fill
from kiosk.services.screen import DeviceReason


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark `text` for translation in `context`; the text itself is the catalogue's source."""
    return text


REASON = "Reason"
DESK = "Desk"

# code → English source. Keep one entry per code: tests/ui/test_texts.py checks that every code
# the drivers, the verifier and the services can produce is here.
REASONS: dict[str, str] = {
    # the check-in service
    "method_not_allowed": QT_TRANSLATE_NOOP("Reason", "This project does not accept this method"),
    "unknown_card": QT_TRANSLATE_NOOP("Reason", "Card not registered — please see staff"),
    "unknown_attendee": QT_TRANSLATE_NOOP("Reason", "Not on the roster — please see staff"),
    "outside_project_days": QT_TRANSLATE_NOOP("Reason", "Today is not a day of this project"),
    "expired_refused": QT_TRANSLATE_NOOP("Reason", "Document expired — please see staff"),
    "storage": QT_TRANSLATE_NOOP("Reason", "Storage full: check-in paused — please call staff"),
    "internal": QT_TRANSLATE_NOOP("Reason", "Something went wrong — please call staff"),
    "closing": QT_TRANSLATE_NOOP("Reason", "The desk is closing — try again in a moment"),
    "project_purged": QT_TRANSLATE_NOOP(
        "Reason", "This project's roster and face data were deleted at the end of their retention"
    ),
    # codes (kiosk/core/codes/verdict.py Reason)
    "unverified_no_key": QT_TRANSLATE_NOOP("Reason", "This code cannot be checked here"),
    "unverified_no_secret": QT_TRANSLATE_NOOP("Reason", "This code cannot be checked here"),
    "unverified_no_roster": QT_TRANSLATE_NOOP("Reason", "This code cannot be checked here"),
    "empty": QT_TRANSLATE_NOOP("Reason", "Empty code — scan again"),
    "oversized": QT_TRANSLATE_NOOP("Reason", "Not a check-in code"),
    "binary": QT_TRANSLATE_NOOP("Reason", "Not a check-in code"),
    "control_characters": QT_TRANSLATE_NOOP("Reason", "Not a check-in code"),
    "unknown_prefix": QT_TRANSLATE_NOOP("Reason", "Not a check-in code"),
    "unsupported_version": QT_TRANSLATE_NOOP("Reason", "Code from a newer version — see staff"),
    "malformed": QT_TRANSLATE_NOOP("Reason", "Damaged code — scan again or see staff"),
    "other_project": QT_TRANSLATE_NOOP("Reason", "This code is for another project"),
    "no_keys": QT_TRANSLATE_NOOP("Reason", "This desk has no ticket keys yet — see staff"),
    "unknown_key_id": QT_TRANSLATE_NOOP("Reason", "Ticket signed with an unknown key — see staff"),
    "bad_signature": QT_TRANSLATE_NOOP("Reason", "Invalid ticket — please see staff"),
    "bad_mac": QT_TRANSLATE_NOOP("Reason", "Invalid code — please see staff"),
    "expired": QT_TRANSLATE_NOOP("Reason", "Code expired — refresh it and scan again"),
    "not_yet_valid": QT_TRANSLATE_NOOP("Reason", "Code not valid yet — check the phone's clock"),
    "replay": QT_TRANSLATE_NOOP("Reason", "This code was already used — refresh it"),
    "roster_codes_disabled": QT_TRANSLATE_NOOP("Reason", "Roster codes are not accepted here"),
    # ID-card readers (drivers.idcard.status.CARD_ERROR_CODES)
    "idcard_error": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "sam_status": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "card_not_readable": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "unknown_card_type": QT_TRANSLATE_NOOP("Reason", "This card type is not supported"),
    "no_card": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "no_content": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "reader_protocol": QT_TRANSLATE_NOOP("Reason", "Reader problem — please see staff"),
    "sam_fault": QT_TRANSLATE_NOOP("Reason", "Reader problem — please see staff"),
    "unexpected_status": QT_TRANSLATE_NOOP("Reason", "Reader problem — please see staff"),
    "invalid_frame": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "invalid_card_data": QT_TRANSLATE_NOOP("Reason", "The card's data is damaged — see staff"),
    "invalid_number": QT_TRANSLATE_NOOP("Reason", "Invalid document number — please see staff"),
    "unusable_uid": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "id_card_on_uid_reader": QT_TRANSLATE_NOOP(
        "Reason", "Resident ID cards go on the ID-card reader"
    ),
    "uid_not_supported": QT_TRANSLATE_NOOP("Reason", "This card cannot be used here — see staff"),
    "uid_format": QT_TRANSLATE_NOOP("Reason", "Card not read — place it again"),
    "wlt_unavailable": QT_TRANSLATE_NOOP("Reason", "Card photo cannot be read here"),
    "wlt_decode": QT_TRANSLATE_NOOP("Reason", "Card photo cannot be read here"),
    # the face station
    "face_mismatch": QT_TRANSLATE_NOOP("Reason", "Face does not match the card — please see staff"),
    "face_verify_timeout": QT_TRANSLATE_NOOP("Reason", "Could not verify it is you — see staff"),
    "face_verify_no_reference": QT_TRANSLATE_NOOP(
        "Reason", "Could not verify it is you — see staff"
    ),
    "face_verify_interrupted": QT_TRANSLATE_NOOP("Reason", "Another card was tapped"),
    "liveness_timeout": QT_TRANSLATE_NOOP("Reason", "Liveness check failed — see staff"),
    "liveness_face_lost": QT_TRANSLATE_NOOP("Reason", "Liveness check failed — see staff"),
    "liveness_face_changed": QT_TRANSLATE_NOOP("Reason", "Liveness check failed — see staff"),
    "liveness_not_verified": QT_TRANSLATE_NOOP("Reason", "Liveness check failed — see staff"),
    # staff mode (kiosk/services/staff_records.py REASONS)
    "not_signed_in": QT_TRANSLATE_NOOP("Reason", "Sign in to staff mode first"),
    "named_staff_required": QT_TRANSLATE_NOOP(
        "Reason", "A named staff member must sign in to record this"
    ),
    "reason_required": QT_TRANSLATE_NOOP("Reason", "A reason is required"),
    "words_required": QT_TRANSLATE_NOOP("Reason", "Record the attendee's own words"),
    "nothing_to_void": QT_TRANSLATE_NOOP("Reason", "This person has no record to undo"),
    "not_own_record": QT_TRANSLATE_NOOP(
        "Reason", "The last record is another desk's: only that desk can undo it"
    ),
    "check_digit": QT_TRANSLATE_NOOP(
        "Reason", "Check digit wrong: the last character does not match — re-read the number"
    ),
    "invalid_document": QT_TRANSLATE_NOOP("Reason", "Invalid document number, please check it"),
    "name_required": QT_TRANSLATE_NOOP("Reason", "A name is required"),
    "on_roster": QT_TRANSLATE_NOOP("Reason", "Already on the roster: check them in by search"),
    "bad_text": QT_TRANSLATE_NOOP("Reason", "The text contains characters that cannot be kept"),
    "wrong_code": QT_TRANSLATE_NOOP("Reason", "Wrong or expired code"),
    "code_used": QT_TRANSLATE_NOOP("Reason", "This code was already used"),
    "no_phone_code": QT_TRANSLATE_NOOP("Reason", "This person has no phone code"),
    "no_dead_letter": QT_TRANSLATE_NOOP("Reason", "No such open dead letter"),
    "not_retryable": QT_TRANSLATE_NOOP("Reason", "This one cannot be retried: dismiss it"),
}

# A device's state (kiosk.services.screen.DeviceReason.code) → English source; %1… its params.
# Logs and the console word the same codes plainly (kiosk/services/device_texts.py).
DEVICE_REASONS: dict[str, str] = {
    "reader_stopped": QT_TRANSLATE_NOOP("Devices", "stopped"),
    "reader_starting": QT_TRANSLATE_NOOP("Devices", "opening %1"),
    "reader_ready": QT_TRANSLATE_NOOP("Devices", "ready on %1"),
    "reader_absent": QT_TRANSLATE_NOOP("Devices", "no reader at %1; retrying"),
    "reader_reconnecting": QT_TRANSLATE_NOOP("Devices", "%1 went away; reconnecting"),
    "reader_fault": QT_TRANSLATE_NOOP("Devices", "reader fault at %1; retrying"),
    "reader_unavailable": QT_TRANSLATE_NOOP("Devices", "a library the reader needs is missing"),
    "camera_stopped": QT_TRANSLATE_NOOP("Devices", "stopped"),
    "camera_starting": QT_TRANSLATE_NOOP("Devices", "opening %1"),
    "camera_running": QT_TRANSLATE_NOOP("Devices", "capturing from %1"),
    "camera_absent": QT_TRANSLATE_NOOP("Devices", "no camera at %1; retrying"),
    "camera_reconnecting": QT_TRANSLATE_NOOP(
        "Devices", "%1 stopped delivering frames; reconnecting"
    ),
    "camera_unavailable": QT_TRANSLATE_NOOP("Devices", "the camera cannot be used (see the log)"),
    "scanner_ready": QT_TRANSLATE_NOOP("Devices", "reading %1"),
    "scanner_absent": QT_TRANSLATE_NOOP("Devices", "no scanner at %1; retrying"),
    "scanner_lost": QT_TRANSLATE_NOOP("Devices", "%1 went away; reconnecting"),
    "scanner_unavailable": QT_TRANSLATE_NOOP("Devices", "a library the scanner needs is missing"),
    "qr_ready": QT_TRANSLATE_NOOP("Devices", "QR decoder %1 on the camera"),
    "qr_off": QT_TRANSLATE_NOOP("Devices", "no QR decoder: camera QR scanning is off"),
    "face_loading": QT_TRANSLATE_NOOP("Devices", "face models loading…"),
    "face_ready": QT_TRANSLATE_NOOP("Devices", "face check-in ready, %1 enrolled"),
    "face_off": QT_TRANSLATE_NOOP("Devices", "face check-in is off (see the log)"),
    "face_purged": QT_TRANSLATE_NOOP("Devices", "face check-in off: the data was purged"),
    "face_needs_camera": QT_TRANSLATE_NOOP("Devices", "face check-in needs the camera enabled"),
    "face_not_a_method": QT_TRANSLATE_NOOP(
        "Devices", "face check-in is not a method of this project"
    ),
    "sound_ready": QT_TRANSLATE_NOOP("Devices", "sound ready (%1)"),
    "sound_off": QT_TRANSLATE_NOOP("Devices", "no sound output (see the log)"),
    "sound_tones_missing": QT_TRANSLATE_NOOP("Devices", "%1 tone files missing or unreadable"),
    "wedge_ready": QT_TRANSLATE_NOOP("Devices", "listening for a keyboard-wedge scanner"),
    "start_failed": QT_TRANSLATE_NOOP("Devices", "failed to start (%1); see the log"),
    "reconnect_failed": QT_TRANSLATE_NOOP("Devices", "reconnect failed (%1); see the log"),
    "worker_still_running": QT_TRANSLATE_NOOP(
        "Devices", "the previous worker has not ended yet: reconnect refused, try again shortly"
    ),
}

# A staff action that records no check-in (void, dispute, dead letters): what was done.
ACTIONS: dict[str, str] = {
    "void": QT_TRANSLATE_NOOP("Desk", "Last record undone (a signed void record)"),
    "dispute": QT_TRANSLATE_NOOP("Desk", "Dispute recorded for the organizer"),
    "retry": QT_TRANSLATE_NOOP("Desk", "Queued to upload again"),
    "dismiss": QT_TRANSLATE_NOOP("Desk", "Dismissed, with the reason kept"),
}

_MODES = {
    DeskMode.IN: QT_TRANSLATE_NOOP("Desk", "Check-in"),
    DeskMode.OUT: QT_TRANSLATE_NOOP("Desk", "Check-out"),
    DeskMode.AUTO: QT_TRANSLATE_NOOP("Desk", "Auto in/out"),
}


# What the person at the camera is asked to do (FacePrompt.code).
PROMPTS: dict[str, str] = {
    "blink": QT_TRANSLATE_NOOP("Face", "Blink your eyes"),
    "turn_left": QT_TRANSLATE_NOOP("Face", "Turn your head to the left"),
    "turn_right": QT_TRANSLATE_NOOP("Face", "Turn your head to the right"),
    "verify": QT_TRANSLATE_NOOP("Face", "Look at the camera to confirm it is you"),
    "too_small": QT_TRANSLATE_NOOP("Face", "Please come closer"),
    "blurry": QT_TRANSLATE_NOOP("Face", "Please hold still"),
    "not_frontal": QT_TRANSLATE_NOOP("Face", "Please face the camera"),
    "unknown": QT_TRANSLATE_NOOP("Face", "Not recognised — tap your ID card or scan your code"),
}


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`text` in the desk's language (the installed translator), or as written; %n takes n."""
    return QCoreApplication.translate(context, text, disambiguation, n)


def prompt_text(code: str, fallback: str = "") -> str:
    """The instruction for a face prompt's code."""
    source = PROMPTS.get(code)
    return translate("Face", source) if source else fallback


def chinese() -> bool:
    """Whether the desk speaks Chinese now (the translator installed sets the default locale)."""
    return QLocale().language() == QLocale.Language.Chinese


def either(zh: str, en: str) -> str:
    """A sender's own pair of texts (a message with no catalogue code), in the desk's language."""
    return zh if chinese() and zh else en


def reason_text(code: str, fallback: str = "") -> str:
    """The sentence for a reason code; an unknown code falls back to the driver's English."""
    source = REASONS.get(code)
    if source is None:
        return fallback or translate("Reason", REASONS["internal"])
    return translate("Reason", source)


def device_reason_line(reason: DeviceReason) -> str:
    """A device's state in the desk's language, its parameters filled in; unknown: the code."""
    source = DEVICE_REASONS.get(reason.code)
    if source is None:
        return " ".join((reason.code, *reason.params))
    return fill(translate("Devices", source), reason.params)


def mode_text(mode: DeskMode) -> str:
    """In / Out / Auto, as the mode switch and the header say it."""
    return translate("Desk", _MODES[mode])


def outcome_line(outcome: Outcome) -> str:
    """The answer's main line under the name: what happened, in the desk's language."""
    decision = outcome.decision
    if outcome.status is Status.ACCEPTED and decision is not None:
        if decision.direction is Direction.OUT:
            line = translate("Desk", "Checked out")
        else:
            line = translate("Desk", "Checked in")
        if Flag.OUT_WITHOUT_IN in decision.flags:
            line += " · " + translate("Desk", "no check-in found: flagged for the organizer")
        elif Flag.PROVISIONAL_ATTENDEE in decision.flags:
            line += " · " + translate("Desk", "not on the roster: registered provisionally")
        elif Flag.EXPIRED_DOCUMENT in decision.flags:
            line += " · " + translate("Desk", "document expired: flagged")
        return line
    if outcome.status is Status.ACCEPTED and outcome.action in ACTIONS:
        return translate("Desk", ACTIONS[outcome.action])
    if decision is not None and decision.kind is OutcomeKind.ALREADY_RECORDED:
        previous = decision.previous
        assert previous is not None
        at = format_local(previous.scanned_at)
        if previous.direction is Direction.IN:
            text = translate("Desk", "Already checked in at %1 (desk %2)")
        else:
            text = translate("Desk", "Already checked out at %1 (desk %2)")
        return text.replace("%1", at).replace("%2", previous.desk)
    code = outcome.reason or (decision.kind.value if decision is not None else "internal")
    return reason_text(code, either(outcome.message_zh, outcome.message_en))
