-- Each audit entry's HMAC under the audit key kept outside the database (ADR 0004).
-- Entries written before the chain was keyed keep an empty MAC.
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
