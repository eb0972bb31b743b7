"""The project file (TOML) organizers write and every tool reads: server, credits, demo."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.core.model import (
    CheckInSettings,
    Method,
    Project,
    ProjectForm,
    ProjectKind,
    ProjectLevel,
    Session,
)

_TOP_KEYS = {
    "number",
    "name",
    "level",
    "kind",
    "form",
    "organizer",
    "venue",
    "profile",
    "days",
    "speakers",
    "sessions",
    "checkin",
}
_SESSION_KEYS = {"id", "start", "end", "title", "speakers"}
_CHECKIN_KEYS = {
    "methods",
    "allow_plain_roster_codes",
    "liveness",
    "expired_document",
    "face_verify_cards",
}


class ProjectFileError(ValueError):
    """The project file is invalid; the message names the key."""


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ProjectFileError(f"{where}: missing key '{key}'")
    return table[key]


def _enum(kind: Any, value: Any, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ProjectFileError(f"{where}: {value!r} is not one of {allowed}") from None


def _instant(value: Any, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ProjectFileError(f"{where}: {value!r} is not an ISO 8601 date-time") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ProjectFileError(
            f"{where}: needs a date-time with its UTC offset, e.g. 2026-05-20T08:30:00+08:00"
        )
    return value


def _day(value: Any, where: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ProjectFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ProjectFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProjectFileError(f"{where}: must be a table")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProjectFileError(f"{where}: must be a list")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = _list(value, where)
    if not all(isinstance(v, str) for v in items):
        raise ProjectFileError(f"{where}: must be a list of strings")
    return tuple(items)


def _unknown(table: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise ProjectFileError(f"{where}: unknown key(s) {', '.join(extra)}")


def project_from_dict(data: dict[str, Any], *, source: str = "project") -> Project:
    """Build a validated Project from a parsed TOML document (or the same shape from JSON)."""
    _unknown(_table(data, source), _TOP_KEYS, source)
    sessions = []
    for i, raw in enumerate(_list(data.get("sessions", []), f"{source}: sessions")):
        where = f"{source}: sessions[{i}]"
        _unknown(_table(raw, where), _SESSION_KEYS, where)
        try:
            sessions.append(
                Session(
                    id=str(_req(raw, "id", where)),
                    start=_instant(_req(raw, "start", where), f"{where}.start"),
                    end=_instant(_req(raw, "end", where), f"{where}.end"),
                    title=str(raw.get("title", "")),
                    speakers=_strings(raw.get("speakers", []), f"{where}.speakers"),
                )
            )
        except ValueError as exc:
            if isinstance(exc, ProjectFileError):
                raise
            raise ProjectFileError(f"{where}: {exc}") from None
    if len({s.id for s in sessions}) != len(sessions):
        raise ProjectFileError(f"{source}: session ids must be unique")
    raw_checkin = _table(data.get("checkin", {}), f"{source}: [checkin]")
    _unknown(raw_checkin, _CHECKIN_KEYS, f"{source}: [checkin]")
    defaults = CheckInSettings()
    methods = raw_checkin.get("methods")
    checkin = CheckInSettings(
        methods=frozenset(
            _enum(Method, m, f"{source}: checkin.methods")
            for m in _strings(methods, f"{source}: checkin.methods")
        )
        if methods is not None
        else defaults.methods,
        allow_plain_roster_codes=bool(raw_checkin.get("allow_plain_roster_codes", False)),
        liveness=str(raw_checkin.get("liveness", defaults.liveness)),
        expired_document=str(raw_checkin.get("expired_document", defaults.expired_document)),
        face_verify_cards=str(raw_checkin.get("face_verify_cards", defaults.face_verify_cards)),
    )
    if checkin.liveness not in {"off", "challenge_on_doubt", "always"}:
        raise ProjectFileError(
            f"{source}: checkin.liveness must be off, challenge_on_doubt or always"
        )
    if checkin.expired_document not in {"admit_with_flag", "refuse"}:
        raise ProjectFileError(
            f"{source}: checkin.expired_document must be admit_with_flag or refuse"
        )
    if checkin.face_verify_cards not in {"off", "enrolled"}:
        raise ProjectFileError(f"{source}: checkin.face_verify_cards must be off or enrolled")
    days = tuple(
        sorted(
            _day(d, f"{source}: days") for d in _list(_req(data, "days", source), f"{source}: days")
        )
    )
    try:
        return Project(
            number=str(_req(data, "number", source)),
            name=str(_req(data, "name", source)),
            level=_enum(ProjectLevel, _req(data, "level", source), f"{source}: level"),
            kind=_enum(ProjectKind, data.get("kind", "recommended"), f"{source}: kind"),
            form=_enum(ProjectForm, _req(data, "form", source), f"{source}: form"),
            organizer=str(data.get("organizer", "")),
            venue=str(data.get("venue", "")),
            profile=str(_req(data, "profile", source)),
            days=days,
            sessions=tuple(sorted(sessions, key=lambda s: s.start)),
            speakers=_strings(data.get("speakers", []), f"{source}: speakers"),
            checkin=checkin,
        )
    except ProjectFileError:
        raise
    except ValueError as exc:
        raise ProjectFileError(f"{source}: {exc}") from None


def project_to_dict(project: Project) -> dict[str, Any]:
    """The inverse of project_from_dict, JSON-friendly (ISO strings)."""
    return {
        "number": project.number,
        "name": project.name,
        "level": project.level.value,
        "kind": project.kind.value,
        "form": project.form.value,
        "organizer": project.organizer,
        "venue": project.venue,
        "profile": project.profile,
        "days": [d.isoformat() for d in project.days],
        "speakers": list(project.speakers),
        "sessions": [
            {
                "id": s.id,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "title": s.title,
                "speakers": list(s.speakers),
            }
            for s in project.sessions
        ],
        "checkin": {
            "methods": sorted(m.value for m in project.checkin.methods),
            "allow_plain_roster_codes": project.checkin.allow_plain_roster_codes,
            "liveness": project.checkin.liveness,
            "expired_document": project.checkin.expired_document,
            "face_verify_cards": project.checkin.face_verify_cards,
        },
    }


def load_project(path: Path) -> Project:
    """Read a project TOML file; ProjectFileError names the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProjectFileError(f"{path}: not valid TOML: {exc}") from None
    return project_from_dict(data, source=str(path))
