"""What the platform takes from a province profile (kiosk/core/rules): no figure lives here.

A project names its profile; `server project create` refuses one the platform cannot load or
whose profile lacks the submission window's figures (kiosk.core.credits.submission), so every
stored project has a profile that decides its window, credit year and caps.
"""

from __future__ import annotations

import functools
import logging

from kiosk.core.credits.checks import ProjectWarning, project_warnings
from kiosk.core.credits.submission import profile_problems
from kiosk.core.model import Project
from kiosk.core.rules import ProfileError, load_profile
from kiosk.core.rules.schema import Profile

log = logging.getLogger(__name__)


class UnusableProfile(ValueError):
    """A stored project's profile can no longer be loaded (removed from the rules directories)."""


@functools.lru_cache(maxsize=32)
def _load(name: str) -> Profile:
    # Profiles ship with this version (or $CME_KIOSK_RULES_DIR): read once per process.
    return load_profile(name)


def project_profile(project: Project) -> Profile:
    """The project's profile; UnusableProfile when it cannot be loaded."""
    try:
        return _load(project.profile)
    except ProfileError as exc:
        log.error("project %s: profile %s unusable", project.number, project.profile)
        raise UnusableProfile(
            f"project {project.number} names profile {project.profile}, which this platform"
            f" cannot use: {exc}"
        ) from None


def creation_problems(project: Project) -> list[str]:
    """Why the platform refuses to create the project ([]: it can decide its window)."""
    return profile_problems(project.profile)


def creation_warnings(project: Project) -> list[ProjectWarning]:
    """What the organizer should fix or know under the profile (methods it does not accept…)."""
    return project_warnings(project, _load(project.profile))
