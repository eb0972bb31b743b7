"""The platform's schema under Alembic, on SQLite and PostgreSQL: fresh, refused, upgraded, drifted.

A database from before migrations is made exactly as the first revision's DDL leaves it, without
the version table; it is filled with rows the platform's own code wrote (on a scratch database),
refused by `server run`, upgraded by `server migrate`, and must come back with every row.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, Table, Text, insert, inspect, select, text

from sync import signing
from sync.protocol import DeniedBatch, DeniedRecord, EnrollRequest, EventBatch
from sync.server import completeness, records, schema
from sync.server.admin import ServerAdmin
from sync.server.db import Database, metadata
from tests.support.cli import run_cli
from tests.support.env import free_port
from tests.support.roster import DAY1, at, make_project

pytestmark = pytest.mark.timeout(120)
NUMBER = make_project().number


def drift(conn: Connection, target: MetaData) -> list[Any]:
    """What alembic's autogenerate finds between the database and `target` (types included)."""
    return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                 target))  # fmt: skip


def test_the_revisions_form_one_line_from_the_first_to_the_head() -> None:
    script = ScriptDirectory.from_config(schema.config())
    assert script.get_heads() == [schema.head()]  # one head: no branch left unmerged
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert chain == ["0001", "ledger1", "sec1", "staff1"]
    assert chain[0] == schema.BASELINE and chain[-1] == schema.head()
    for before, rev in pairwise(chain):
        found = script.get_revision(rev)
        assert found is not None and found.down_revision == before  # one parent, no merge


def test_each_revision_goes_down_and_up_again_and_ended_desks_are_frozen(
    server_db: tuple[str, str], tmp_path: Path
) -> None:
    """Down to the first revision and back one step at a time, with the platform's rows in it.

    A desk retired before `sec1` existed gets frozen by it at the highest seq it had delivered
    or announced (2 here), so it cannot deliver more after the upgrade.
    """
    _, url = server_db
    written_by_the_platform(tmp_path, url=url)
    script = ScriptDirectory.from_config(schema.config())
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    db = Database(url)
    try:
        for target in reversed(chain[:-1]):
            with db.write() as conn:
                command.downgrade(schema.config(conn), target)
            assert schema.state(db).revision == target
            if target == "ledger1":
                with db.write() as conn:
                    conn.execute(text("UPDATE devices SET state = 'retired'"))
        with db.read() as conn:
            assert not inspect(conn).has_table("ledger_grants")
            assert "frozen_seq" not in {c["name"] for c in inspect(conn).get_columns("devices")}
        for target in chain[1:]:
            with db.write() as conn:
                command.upgrade(schema.config(conn), target)
            assert schema.state(db).revision == target
    finally:
        db.dispose()
    admin = ServerAdmin(url)  # at the head again: opens without complaint
    try:
        [desk] = admin.devices(NUMBER)
        assert (desk.state, desk.frozen_seq, desk.latest_seq) == ("retired", 2, 2)
        with admin.db.engine.connect() as conn:
            assert drift(conn, metadata) == []
    finally:
        admin.close()


def test_a_fresh_database_gets_the_schema_from_the_migrations_and_it_equals_the_code(
    server_db: tuple[str, str],
) -> None:
    _, url = server_db
    admin = ServerAdmin(url)  # an empty database: the migrations create every table
    try:
        assert schema.state(admin.db) == schema.SchemaState(schema.head())
        with admin.db.engine.connect() as conn:
            assert drift(conn, metadata) == []
            # The check can fail: a column the code has and no revision adds is reported.
            changed = MetaData()
            for table in metadata.tables.values():
                table.to_metadata(changed)
            Table("projects", changed, Column("added_without_a_revision", Text),
                  extend_existing=True)  # fmt: skip
            found = drift(conn, changed)
        assert [d[0] for d in found] == ["add_column"]
        assert found[0][3].name == "added_without_a_revision"
    finally:
        admin.close()


def written_by_the_platform(
    tmp_path: Path, *, url: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table after real use: a project, a roster, a desk, records, a refusal.

    Written on a scratch SQLite file unless `url` names the database to write.
    """
    url = url or f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    admin = ServerAdmin(url, clock=lambda: at(DAY1, 7))
    try:
        admin.create_project(make_project())
        admin.import_roster(NUMBER, roster_csv(tmp_path / "roster.csv"))
        code, _ = admin.enroll_code(NUMBER)
        key = signing.new_private_key()
        enrollment = admin.platform.enroll(
            EnrollRequest(code=code, public_key=signing.public_b64(key), desk_name="A")
        )
        device = admin.platform.authenticate(enrollment.token)
        prev, batch = signing.GENESIS, []
        for seq, person in ((1, "A1"), (2, "A2")):
            rec = signing.signed_record(key, {
                "uuid": f"00000000-0000-4000-8000-00000000000{seq}", "seq": seq,
                "project": NUMBER, "attendee_id": person, "direction": "in", "method": "id_card",
                "device_id": enrollment.device_id, "utc_offset_minutes": 480,
                "scanned_at": at(DAY1, 8, seq).isoformat(), "server_offset_ms": 12,
                "evidence_ref": None, "flags": [],
            }, prev_hash=prev)  # fmt: skip
            batch.append(rec)
            prev = rec.hash
        answers = records.upload_events(admin.platform, device, EventBatch(records=batch))
        assert [a.status for a in answers.answers] == ["accepted", "accepted"]
        refused = DeniedRecord(
            uuid="00000000-0000-4000-8000-0000000000d1", project=NUMBER, method="qr",
            reason="replayed_code", detail="", credential_hmac=None,
            device_id=enrollment.device_id, scanned_at=at(DAY1, 8, 5).isoformat(),
            utc_offset_minutes=480,
        )  # fmt: skip
        records.upload_denied(admin.platform, device, DeniedBatch(records=[refused]))
        completeness.report_latest(admin.platform, device, 2)
        return snapshot(admin.db)
    finally:
        admin.close()


def roster_csv(path: Path) -> Path:
    from tests.support.roster import make_roster

    lines = ["id_type,id_number,name,unit,department,title,role,card_uid"]
    lines += [f"{a.document.type.value},{a.document.number},{a.name},{a.unit},,,participant,"
              for a in make_roster(3)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(db: Database, *, columns: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """Every row of every table (optionally only the given tables' columns), in a stable order."""
    out: dict[str, list[dict[str, Any]]] = {}
    with db.read() as conn:
        for table in metadata.sorted_tables:
            if columns is not None and table.name not in columns:
                continue
            keep = columns[table.name] if columns is not None else set(table.c.keys())
            rows = [{k: v for k, v in r._mapping.items() if k in keep}
                    for r in conn.execute(select(table))]  # fmt: skip
            out[table.name] = sorted(rows, key=repr)
    return out


def make_unversioned(url: str) -> Database:
    """The database as the platform made it before migrations: revision 0001's tables, no stamp."""
    db = Database(url)
    with db.write() as conn:
        command.upgrade(schema.config(conn), schema.BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
    return db


def test_a_database_from_before_migrations_is_refused_then_upgraded_with_every_row(
    server_db: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = server_db
    before = written_by_the_platform(tmp_path)
    old = make_unversioned(url)
    with old.read() as conn:
        # Tables added by later revisions are not there yet (and have no rows to keep).
        columns = {name: {c["name"] for c in inspect(conn).get_columns(name)}
                   for name in metadata.tables if inspect(conn).has_table(name)}  # fmt: skip
    with old.write() as conn:
        for table in metadata.sorted_tables:
            for row in before[table.name] if table.name in columns else ():
                conn.execute(insert(table).values({k: row[k] for k in columns[table.name]}))
    assert schema.state(old).unversioned
    old.dispose()
    before = {name: [{k: r[k] for k in columns[name]} for r in rows]
              for name, rows in before.items() if name in columns}  # fmt: skip

    # `server run` refuses before it binds anything, in one line that names the command.
    code, out, err = run_cli(capsys, "server", "run", "--db", url, "--port", str(free_port()))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "run `cme-kiosk server migrate`" in err
    assert "created before migrations" in err

    code, out, err = run_cli(capsys, "server", "migrate", "--db", url)
    assert code == 0, err
    assert f"upgraded from created before migrations to revision {schema.head()}" in out

    admin = ServerAdmin(url)  # current now: opens without complaint
    try:
        assert snapshot(admin.db, columns=columns) == before  # every row, every value kept
        status = admin.status(NUMBER)
        assert (status.attendees, status.events, status.denied) == (3, 2, 1)
        [desk] = [d for d in status.desks if d.desk_name == "A"]
        assert desk.complete and desk.latest_seq == 2
        with admin.db.engine.connect() as conn:
            assert drift(conn, metadata) == []
    finally:
        admin.close()
    code, out, _ = run_cli(capsys, "server", "migrate", "--db", url)
    assert code == 0 and f"already at revision {schema.head()}" in out


def test_a_database_newer_than_this_version_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    ServerAdmin(url).close()
    db = Database(url)
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    db.dispose()
    with pytest.raises(schema.SchemaOutOfDate, match="newer than this cme-kiosk"):
        ServerAdmin(url)
    with pytest.raises(schema.SchemaOutOfDate, match="newer"):
        schema.upgrade(Database(url))


def test_a_draft_revision_carries_a_change_made_in_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    Table("projects", changed, Column("added_in_code", Text), extend_existing=True)
    monkeypatch.setattr("sync.server.db.metadata", changed)  # what env.py hands autogenerate
    path = schema.draft("add a column", into=tmp_path)
    body = path.read_text()
    assert path.name == f"{schema.next_revision_id()}_add_a_column.py"
    assert f"down_revision = '{schema.head()}'" in body
    assert "add_column(sa.Column('added_in_code', sa.Text()" in body
