-- Who vouched that the person enrolled on site was the cardholder (a staff tap at the desk):
-- kept with the template for disputes, gone with it at withdrawal or retention.
ALTER TABLE face_templates ADD COLUMN confirmed_by TEXT NOT NULL DEFAULT '';
