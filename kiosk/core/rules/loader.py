"""The one loader of rules profiles: built-in TOML files plus a province's own directories."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from kiosk.core.rules.schema import Profile

BUILTIN_DIR = Path(__file__).resolve().parent
RULES_DIR_ENV = "CME_KIOSK_RULES_DIR"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ProfileError(ValueError):
    """A profile is missing or invalid; the message names the file and the key."""


def env_rules_dirs() -> list[Path]:
    """Directories named by $CME_KIOSK_RULES_DIR (several separated by os.pathsep)."""
    raw = os.environ.get(RULES_DIR_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def search_dirs(extra_dirs: Sequence[Path] = ()) -> list[Path]:
    """Profile directories, first match wins: explicit, $CME_KIOSK_RULES_DIR, built-in."""
    return [*extra_dirs, *env_rules_dirs(), BUILTIN_DIR]


def checked_dirs(dirs: Sequence[Path], *, source: str) -> list[Path]:
    """Configured profile directories, refused with `source` named when one is not a directory."""
    for directory in dirs:
        if not directory.is_dir():
            raise ProfileError(f"{source}: {directory} is not a directory")
    return list(dirs)


def _describe(err: ValidationError, source: str) -> str:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {key}")
        elif e["type"] == "missing":
            lines.append(f"{source}: missing key {key}")
        else:
            lines.append(f"{source}: {key}: {e['msg']}")
    return "; ".join(lines)


def load_profile_file(path: Path) -> Profile:
    """Read and validate one profile file; its `name` must equal the file name without .toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    if "origin" in data:
        raise ProfileError(f"{path}: unknown key origin")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_describe(exc, str(path))) from None
    if profile.name != path.stem:
        raise ProfileError(f"{path}: name {profile.name!r} must match the file name {path.stem!r}")
    return profile.model_copy(update={"origin": str(path)})


def load_profile(name: str, *, extra_dirs: Sequence[Path] = ()) -> Profile:
    """The profile called `name` from the first directory of `search_dirs()` that has it."""
    if not _NAME.fullmatch(name):
        raise ProfileError(f"profile name {name!r} must be lower-case letters, digits and hyphens")
    for directory in search_dirs(extra_dirs):
        path = directory / f"{name}.toml"
        if path.is_file():
            return load_profile_file(path)
    known = ", ".join(sorted(available_profiles(extra_dirs=extra_dirs))) or "none"
    raise ProfileError(f"no rules profile {name!r} (known: {known})")


def available_profiles(*, extra_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """Every profile name found, with the file that wins for it."""
    found: dict[str, Path] = {}
    for directory in search_dirs(extra_dirs):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if _NAME.fullmatch(path.stem):
                found.setdefault(path.stem, path)
    return found
