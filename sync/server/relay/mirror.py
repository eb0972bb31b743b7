"""The relay's copy of its upstream project: definition, ticket public keys, HMAC key, roster.

Venue kiosks enroll with the relay and pull from it exactly as from the platform, so the relay
keeps the upstream project in its own tables: the same project data, the same denied-credential
HMAC key (refused-attempt HMACs must match upstream's), the ticket public keys (never a private
key: tickets are signed upstream), and every roster entry under its upstream reference.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from sync import protocol as p
from sync.server import db as t
from sync.server.db import Database
from sync.server.platform import lock_project, reserve_revs
from sync.server.staff import mirror_staff


def apply_bundle(db: Database, bundle: p.ProjectBundle, *, now: datetime) -> str:
    """Create or update the local project from an upstream bundle; return its number."""
    project = bundle.to_project()  # validates the definition before anything is stored
    number = project.number
    data = json.dumps(bundle.project, ensure_ascii=False, sort_keys=True)
    with db.write() as conn:
        if lock_project(conn, number) is None:
            conn.execute(
                insert(t.projects).values(
                    number=number, data=data, profile=project.profile,
                    last_day=project.last_day.isoformat(), rev=0, definition_rev=1,
                    denied_hmac_key=bundle.hmac_key, created_at=now, updated_at=now,
                )
            )  # fmt: skip
        else:
            conn.execute(
                update(t.projects).where(t.projects.c.number == number).values(
                    data=data, profile=project.profile, last_day=project.last_day.isoformat(),
                    denied_hmac_key=bundle.hmac_key, updated_at=now,
                    definition_rev=t.projects.c.definition_rev + 1,
                )
            )  # fmt: skip
        _mirror_keys(conn, number, bundle.ticket_keys, now=now)
        mirror_staff(conn, number, bundle.staff, now=now)
    return number


def _mirror_keys(conn: Connection, number: str, keys: list[p.TicketKey], *, now: datetime) -> None:
    k = t.ticket_keys.c
    have = {
        r.key_id: r.retired_at
        for r in conn.execute(select(k.key_id, k.retired_at).where(k.project == number))
    }
    upstream = {key.key_id for key in keys}
    for key in keys:
        if key.key_id not in have:
            conn.execute(
                insert(t.ticket_keys).values(
                    project=number, key_id=key.key_id, private_key=b"",
                    public_key=p.b64_bytes(key.public_key, size=32), created_at=now,
                )
            )  # fmt: skip
        elif have[key.key_id] is not None:
            conn.execute(
                update(t.ticket_keys)
                .where(k.project == number, k.key_id == key.key_id)
                .values(retired_at=None)
            )
    gone = [kid for kid, retired in have.items() if kid not in upstream and retired is None]
    if gone:
        conn.execute(
            update(t.ticket_keys)
            .where(k.project == number, k.key_id.in_(gone))
            .values(retired_at=now)
        )


def apply_roster_page(db: Database, link_project: str, page: p.ChangesPage) -> int:
    """Store a page's roster entries and its cursor in one transaction; return how many."""
    a = t.attendees.c
    with db.write() as conn:
        lock_project(conn, link_project)
        people = page.attendees
        if people:
            rev = reserve_revs(conn, link_project, len(people))
            refs = set(
                conn.execute(
                    select(a.ref).where(
                        a.project == link_project, a.ref.in_({x.id for x in people})
                    )
                ).scalars()
            )
            for i, person in enumerate(people):
                values = dict(
                    id_type=person.id_type, id_number=person.id_number, name=person.name,
                    unit=person.unit, department=person.department, title=person.title,
                    role=person.role, card_uids=json.dumps(person.card_uids),
                    qr_secret=person.secret, rev=rev + i,
                )  # fmt: skip
                if person.id in refs:
                    conn.execute(
                        update(t.attendees)
                        .where(a.project == link_project, a.ref == person.id)
                        .values(**values)
                    )
                else:
                    conn.execute(
                        insert(t.attendees).values(project=link_project, ref=person.id, **values)
                    )
                    refs.add(person.id)
        conn.execute(
            update(t.relay_links)
            .where(t.relay_links.c.project == link_project)
            .values(pull_cursor=page.cursor)
        )
    return len(page.attendees)
