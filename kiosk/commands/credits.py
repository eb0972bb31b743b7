"""`cme-kiosk credits`: the credit engine on attendance records from anywhere (CSV)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.core.credits import Assessment, RowError
    from kiosk.core.credits.ledger import Grant
    from kiosk.core.rules import Profile


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the credits command."""
    p = sub.add_parser(
        "credits",
        help="hours and credits per attendee from a project file and a CSV of check-ins",
        description=(
            "Prints one JSON line per attendee: id_number, name, role, sessions (session, in,"
            " out, hours), hours, credits, capped, flags, explanation, then credit_year,"
            " credits_provisional, provisional_figures, annual and yearly_cap."
            " Profiles, the ledger's format: docs/credits.md."
        ),
    )
    p.add_argument("--profile", help="rules profile, e.g. inner-mongolia-2025-draft")
    p.add_argument("--project", help="project file (TOML, see examples/project.toml)")
    p.add_argument(
        "--events", help="CSV: id_number,name,role,direction,time,method[,desk,record_id]"
    )
    p.add_argument("--assessments", help="CSV of assessment results (pass/fail or score)")
    p.add_argument("--pass-mark", help="pass mark when the assessment file has scores")
    p.add_argument(
        "--ledger",
        help="CSV of earlier grants for the yearly caps: id_number,credit_year,kind,credits,"
        "activity_date",
    )
    p.add_argument(
        "--cap-exempt",
        help="file of ID numbers (one a line) the profile's yearly-cap exemption covers"
        " (e.g. primary-care staff)",
    )
    p.add_argument(
        "--rules-dir",
        action="append",
        default=[],
        help="directory of extra profiles (repeatable; also $CME_KIOSK_RULES_DIR)",
    )
    p.add_argument("--list-profiles", action="store_true", help="list the profiles found and where")
    p.set_defaults(handler=run)


def _read(path: str, what: str) -> str:
    from kiosk.commands._common import fail

    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{what} {path}: no such file")
    except UnicodeDecodeError:
        fail(f"{what} {path}: not UTF-8 text")
    except OSError as exc:
        fail(f"{what} {path}: cannot read: {exc.strerror or exc}")
    raise AssertionError("unreachable")


def _report_rows(errors: Sequence[RowError], path: str) -> None:
    """Print every bad row with its line number, then exit non-zero."""
    from kiosk.commands._common import fail

    for e in errors:
        print(f"cme-kiosk: {path}: {e}", file=sys.stderr)
    fail(f"{path}: {len(errors)} bad row(s); nothing computed")


def _configured_dirs(args: argparse.Namespace) -> list[Path]:
    """`[credits] rules_dirs` from the configuration (a missing directory stops the run)."""
    from kiosk.commands._common import config_from_args, fail
    from kiosk.core.rules import ProfileError, checked_dirs

    try:
        dirs = config_from_args(args).credits.rules_dirs
        return checked_dirs(dirs, source="[credits] rules_dirs")
    except ProfileError as exc:
        fail(str(exc), code=2)
        raise AssertionError("unreachable") from None


def _assessments(args: argparse.Namespace) -> dict[str, Assessment] | None:
    """The --assessments file's results (None when not given); bad rows stop the run."""
    from decimal import Decimal, InvalidOperation

    from kiosk.commands._common import fail
    from kiosk.core.credits import parse_assessment_csv

    if not args.assessments:
        return None
    try:
        mark = Decimal(args.pass_mark) if args.pass_mark is not None else None
    except InvalidOperation:
        fail(f"--pass-mark {args.pass_mark!r} is not a number", code=2)
    imported = parse_assessment_csv(_read(args.assessments, "assessment file"), pass_mark=mark)
    if imported.errors:
        _report_rows(imported.errors, args.assessments)
    return imported.results


def _cap_inputs(
    args: argparse.Namespace, profile: Profile
) -> tuple[tuple[Grant, ...] | None, frozenset[str]]:
    """The --ledger grants (None: no ledger) and the --cap-exempt ID numbers; bad rows stop."""
    from kiosk.reports.ledger_file import read_id_list, read_ledger_file

    grants = None
    if args.ledger:
        grants, bad = read_ledger_file(Path(args.ledger), profile)
        if bad:
            _report_rows(bad, args.ledger)
    exempt: frozenset[str] = frozenset()
    if args.cap_exempt:
        listed = read_id_list(Path(args.cap_exempt))
        if listed.errors:
            _report_rows(listed.errors, args.cap_exempt)
        exempt = listed.numbers
    return grants, exempt


def run(args: argparse.Namespace) -> int:
    """Compute and print credits; bad input → messages on stderr and a non-zero exit."""
    import json

    from kiosk.commands._common import fail
    from kiosk.core.credits import compute_project_credits
    from kiosk.core.credits.events_csv import parse_events_csv
    from kiosk.core.credits.ledger import standings, year_json
    from kiosk.core.project_file import ProjectFileError, load_project
    from kiosk.core.rules import ProfileError, available_profiles, load_profile

    extra = [Path(d) for d in args.rules_dir] + _configured_dirs(args)
    if args.list_profiles:
        for name, path in available_profiles(extra_dirs=extra).items():
            print(f"{name}\t{path}")
        return 0
    missing = [f"--{n}" for n in ("profile", "project", "events") if not getattr(args, n)]
    if missing:
        fail(f"credits needs {', '.join(missing)}", code=2)
    try:
        profile = load_profile(args.profile, extra_dirs=extra)
        project = load_project(Path(args.project))
    except (ProfileError, ProjectFileError) as exc:
        fail(str(exc), code=2)
    if project.profile != profile.name:
        print(
            f"cme-kiosk: note: {args.project} names profile {project.profile};"
            f" computing with {profile.name} as asked",
            file=sys.stderr,
        )
    parsed = parse_events_csv(_read(args.events, "events file"))
    if parsed.errors:
        _report_rows(parsed.errors, args.events)
    assessments = _assessments(args)
    grants, exempt = _cap_inputs(args, profile)
    year = standings(
        project, profile, grants, people={r.id_number for r in parsed.records}, exempt=exempt
    )
    results = compute_project_credits(
        project,
        profile,
        parsed.records,
        people=parsed.people,
        assessments=assessments,
        prior_year_credits={n: s.before for n, s in year.items()},
        yearly_cap_exempt=exempt,
    )
    for result in results:
        line = result.to_json()
        line.update(
            year_json(result.credits, result.yearly_cut, year[result.person.id_number], profile)
        )
        print(json.dumps(line, ensure_ascii=False))
    return 0
