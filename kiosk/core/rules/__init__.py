"""Province rules profiles as data (TOML beside this file), one loader, no rule in code."""

from kiosk.core.rules.loader import (
    BUILTIN_DIR,
    RULES_DIR_ENV,
    ProfileError,
    available_profiles,
    checked_dirs,
    env_rules_dirs,
    load_profile,
    load_profile_file,
    search_dirs,
)
from kiosk.core.rules.schema import Figure, FormRules, Profile, Rate, ShortSession

__all__ = [
    "BUILTIN_DIR",
    "RULES_DIR_ENV",
    "Figure",
    "FormRules",
    "Profile",
    "ProfileError",
    "Rate",
    "ShortSession",
    "available_profiles",
    "checked_dirs",
    "env_rules_dirs",
    "load_profile",
    "load_profile_file",
    "search_dirs",
]
