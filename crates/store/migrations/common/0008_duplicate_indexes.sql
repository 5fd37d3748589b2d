-- Duplicate detection at intake looks for an open lead about the same person (same ID number,
-- or same name and phone) created within the window. These partial indexes hold only open
-- leads, in the order the check wants, so the check is one short index probe. Without them
-- PostgreSQL's generic plan intersected the phone index with every open lead (about 10 ms per
-- lead at 100,000 cases; bench/results/2026-11-29-ab-postgres-100000-hot-writer.txt).
CREATE INDEX leads_open_by_id_number ON leads (subject_id_number, created_ms, id) WHERE status = 'new';
CREATE INDEX leads_open_by_name_phone ON leads (subject_phone, subject_name, created_ms, id) WHERE status = 'new';
