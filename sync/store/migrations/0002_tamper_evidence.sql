-- Tamper evidence and retention.
-- Each local record carries the hash of the previous record and its own hash over a canonical form,
-- signed by the device key: inserting, altering or removing a row breaks the chain or a signature.
ALTER TABLE events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN signature TEXT NOT NULL DEFAULT '';

-- When the organizer's submission was accepted: retention counts from it (or from the last day).
ALTER TABLE projects ADD COLUMN submitted_at TEXT;
ALTER TABLE projects ADD COLUMN last_day TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN purged_at TEXT;

-- What arrives with the roster for offline verification (issue: QR codes): per-attendee
-- rotating-code secrets (sealed) and the project's public keys. Purged with the roster.
CREATE TABLE attendee_secrets (
    project     TEXT NOT NULL,
    attendee_id TEXT NOT NULL,
    secret      BLOB NOT NULL,
    PRIMARY KEY (project, attendee_id)
);

CREATE TABLE project_keys (
    project TEXT NOT NULL,
    kind    TEXT NOT NULL,                -- 'ticket_ed25519' (public) or 'denied_hmac' (secret, sealed)
    key_id  TEXT NOT NULL,
    key     BLOB NOT NULL,
    PRIMARY KEY (project, kind, key_id)
);

-- Rotating-code slots already used, so a forwarded screenshot works at most once.
CREATE TABLE used_slots (
    project     TEXT NOT NULL,
    attendee_id TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    used_at     TEXT NOT NULL,
    PRIMARY KEY (project, attendee_id, slot)
);
