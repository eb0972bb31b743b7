-- Staff records (issue 15). A record in the desk's chain may be a staff record: its kind, who
-- made it, why, what it refers to, and a dispute's receipt text. These are the optional signed
-- fields (sync.chain.OPTIONAL_SIGNED); records made before have the defaults and hash unchanged.
ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'checkin';
ALTER TABLE events ADD COLUMN staff_id TEXT;
ALTER TABLE events ADD COLUMN note TEXT;
ALTER TABLE events ADD COLUMN refers_to TEXT;
ALTER TABLE events ADD COLUMN receipt TEXT;
CREATE INDEX events_by_refers ON events (refers_to);

-- Other desks' staff records: a void there undoes that desk's record here too.
ALTER TABLE remote_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'checkin';
ALTER TABLE remote_events ADD COLUMN refers_to TEXT;

-- The project's named staff, pulled with the project bundle: names sealed, PINs as argon2 hashes.
CREATE TABLE staff (
    project        TEXT NOT NULL,
    staff_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'staff',
    pin_hash       TEXT NOT NULL,
    last_signed_in TEXT,                  -- tried first at the next sign-in
    PRIMARY KEY (project, staff_id)
);

-- What staff did with a dead letter: retried (re-queued) or dismissed, by whom, when, why.
ALTER TABLE dead_letter ADD COLUMN resolved_action TEXT;
ALTER TABLE dead_letter ADD COLUMN resolved_by TEXT;
ALTER TABLE dead_letter ADD COLUMN resolved_at TEXT;
ALTER TABLE dead_letter ADD COLUMN resolved_note TEXT;

-- Bundles now carry the staff list: fetch each project's bundle again at the next pull.
DELETE FROM meta WHERE key LIKE 'platform_etag:%';
