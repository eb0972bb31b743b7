"""What a live server's engine does while a block runs: its SQL statements and pool checkouts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.support.live_server import LiveServer


@contextmanager
def statements(srv: LiveServer) -> Iterator[list[str]]:
    """The SQL the server's engine sends to the database while the block runs, and "checkout"
    for every connection it takes from its pool (each costs a pre-ping on PostgreSQL)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    def checkout(*_args: Any) -> None:
        seen.append("checkout")

    engine = srv.admin.db.engine
    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "checkout", checkout)


def sql_only(seen: list[str]) -> list[str]:
    """The statements of `seen` without its checkouts."""
    return [s for s in seen if s != "checkout"]
