-- Issue 14: records the desk gave up on (dead-lettered locally: unsendable, or a poison record
-- the platform fails on every time) leave a signed stub for the platform, which counts the seq
-- for completeness and shows the stub to the organizer.
CREATE TABLE refusal_stubs (
    uuid        TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    device_id   TEXT NOT NULL,
    project     TEXT NOT NULL,
    hash        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    sync_state  TEXT NOT NULL DEFAULT 'pending',  -- pending | synced | dead
    created_at  TEXT NOT NULL
);
