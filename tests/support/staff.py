"""Named staff for desk tests: argon2id hashes made cheaply (the desk verifies any parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher

from sync.store import Store
from sync.store.staff import DeskStaff

# Real argon2id, with the smallest cost: the hash carries its parameters, so the desk's verify
# is the production code path; only the tests' time is saved.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

PINS = {"S1": "284619", "S2": "735102", "S3": "615283"}
NAMES = {"S1": "王芳", "S2": "李娜", "S3": "赵敏"}


def cheap_hash(pin: str) -> str:
    """An argon2id hash of `pin` that verifies in microseconds."""
    return _CHEAP.hash(pin)


def give_staff(store: Store, project: str, *ids: str) -> None:
    """Install named members (S1 王芳, S2 李娜 lead, S3 赵敏) as a bundle pull would."""
    store.staff.replace(
        project,
        [DeskStaff(i, NAMES[i], "lead" if i == "S2" else "staff", cheap_hash(PINS[i]))
         for i in ids or tuple(PINS)],
    )  # fmt: skip
