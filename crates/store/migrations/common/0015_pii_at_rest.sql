-- Personal data sealed at rest (docs/adr/0023-pii-at-rest.md). Names, ID numbers, phones,
-- addresses, descriptions, the household file, findings and 公示 names are stored sealed
-- ("pii1:<key id>:…", XChaCha20-Poly1305 under a key outside the database). What the queries
-- compare is kept beside them as keyed blind indexes (HMAC), never the value itself:
-- `*_bidx` for exact matches (ID number, phone, name with phone), `subject_name_tokens` for name search
-- (hashes of the name's characters and character pairs, space-separated).
ALTER TABLE leads ADD COLUMN subject_id_bidx TEXT;
ALTER TABLE leads ADD COLUMN subject_phone_bidx TEXT;
ALTER TABLE leads ADD COLUMN subject_name_phone_bidx TEXT;
ALTER TABLE leads ADD COLUMN subject_name_tokens TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN subject_id_bidx TEXT;
ALTER TABLE cases ADD COLUMN subject_phone_bidx TEXT;
ALTER TABLE cases ADD COLUMN subject_name_tokens TEXT NOT NULL DEFAULT '';

-- The plain-text indexes go: an index on a sealed column would be useless, and one on a plain
-- column would keep a copy of the plain value.
DROP INDEX leads_id_number;
DROP INDEX leads_phone;
DROP INDEX cases_id_number;
DROP INDEX leads_open_by_id_number;
DROP INDEX leads_open_by_name_phone;
CREATE INDEX leads_id_bidx ON leads (subject_id_bidx);
CREATE INDEX leads_phone_bidx ON leads (subject_phone_bidx);
CREATE INDEX cases_id_bidx ON cases (subject_id_bidx);
CREATE INDEX cases_phone_bidx ON cases (subject_phone_bidx);
CREATE INDEX leads_open_by_id_bidx ON leads (subject_id_bidx, created_ms, id) WHERE status = 'new';
-- One column for name and phone together: SQLite plans `a IN (…) AND b IN (…)` over two columns
-- as a scan of every open lead, but one `IN` on one column as an index search.
CREATE INDEX leads_open_by_name_phone_bidx ON leads (subject_name_phone_bidx, created_ms, id) WHERE status = 'new';

-- Every key that has sealed values here, by its fingerprint: a key file that lacks one of them
-- while values sealed under it remain is refused at start, instead of failing on first read.
CREATE TABLE pii_keys (
    key_id   TEXT PRIMARY KEY,
    added_ms BIGINT NOT NULL
);
-- The key under which the last complete re-seal left every value (none yet: values written
-- before this migration are plain text until the first start with a key re-seals them).
CREATE TABLE pii_state (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    resealed_under TEXT NOT NULL,
    resealed_ms    BIGINT NOT NULL
);
