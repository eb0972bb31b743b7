-- The kiosk's local store: roster, check-in records with their sync state, denials, evidence.
-- Personal fields are looked up only through keyed HMAC index columns (*_index), so that the
-- fields themselves can be encrypted without changing any lookup.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE projects (
    number        TEXT PRIMARY KEY,
    data          TEXT NOT NULL,          -- kiosk.core.project_file.project_to_dict as JSON
    roster_cursor TEXT,                   -- where the next incremental roster pull resumes
    updated_at    TEXT NOT NULL
);

CREATE TABLE attendees (
    project       TEXT NOT NULL,
    id            TEXT NOT NULL,
    doc_type      TEXT NOT NULL,
    doc_index     BLOB NOT NULL,          -- HMAC(index key, document number)
    doc_number    TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL DEFAULT '',
    department    TEXT NOT NULL DEFAULT '',
    title_series  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT 'participant',
    provisional   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project, id)
);
CREATE INDEX attendees_by_doc ON attendees (project, doc_index);

CREATE TABLE card_uids (
    project     TEXT NOT NULL,
    uid_index   BLOB NOT NULL,            -- HMAC(index key, formatted UID)
    uid         TEXT NOT NULL,            -- the UID itself, sealed like other personal fields
    attendee_id TEXT NOT NULL,
    PRIMARY KEY (project, uid_index)
);

-- This desk's own records. seq is the device sequence number: contiguous from 1, never reused.
CREATE TABLE events (
    seq                INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    project            TEXT NOT NULL,
    attendee_id        TEXT NOT NULL,
    direction          TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    method             TEXT NOT NULL,
    device_id          TEXT NOT NULL,
    scanned_at         TEXT NOT NULL,     -- UTC, ISO 8601
    utc_offset_minutes INTEGER NOT NULL,
    server_offset_ms   INTEGER,           -- the learned server clock offset at the scan, if known
    evidence_ref       TEXT,
    flags              TEXT NOT NULL DEFAULT '[]',
    sync_state         TEXT NOT NULL DEFAULT 'pending'
                       CHECK (sync_state IN ('pending', 'synced', 'dead')),
    synced_at          TEXT,
    answer             TEXT
);
CREATE INDEX events_by_attendee ON events (project, attendee_id, scanned_at);
CREATE INDEX events_pending ON events (sync_state, seq);

-- Other desks' records, learned from the platform, so desk B knows what desk A recorded.
CREATE TABLE remote_events (
    uuid        TEXT PRIMARY KEY,
    project     TEXT NOT NULL,
    attendee_id TEXT NOT NULL,
    direction   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    desk_name   TEXT NOT NULL DEFAULT '',
    scanned_at  TEXT NOT NULL
);
CREATE INDEX remote_by_attendee ON remote_events (project, attendee_id, scanned_at);

-- Refused and suspicious attempts, uploaded for the platform's audit trail. No raw credential:
-- only an HMAC keyed by the platform (credential_hmac) when the platform's key is known.
CREATE TABLE denied (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    project         TEXT NOT NULL,
    method          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    credential_hmac TEXT,
    device_id       TEXT NOT NULL,
    scanned_at      TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    sync_state      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (sync_state IN ('pending', 'synced', 'dead')),
    synced_at       TEXT
);

-- Records the platform refused for good: kept for staff to list and export, never dropped.
CREATE TABLE dead_letter (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,            -- 'event' or 'denied'
    uuid        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);

CREATE TABLE evidence (
    ref         TEXT PRIMARY KEY,
    project     TEXT NOT NULL,
    kind        TEXT NOT NULL,            -- 'face_crop', 'card_photo_wlt'
    data        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE face_templates (
    project     TEXT NOT NULL,
    attendee_id TEXT NOT NULL,
    template    BLOB NOT NULL,
    source      TEXT NOT NULL,            -- 'roster_photo' or 'on_site'
    consent_at  TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (project, attendee_id)
);
