-- Intake: leads from every channel, their timeline, idempotent API writes, and the
-- verification time limits (rule data with effective dates).
CREATE TABLE leads (
    id                 TEXT PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    channel            TEXT NOT NULL,
    reporter_name      TEXT NOT NULL,
    reporter_phone     TEXT,
    reporter_relation  TEXT NOT NULL,
    subject_name       TEXT NOT NULL,
    subject_id_number  TEXT,
    subject_phone      TEXT,
    hukou              TEXT NOT NULL,
    location_code      TEXT NOT NULL,
    address            TEXT NOT NULL,
    division           TEXT NOT NULL,
    responsible_unit   TEXT NOT NULL,
    first_inquiry_unit TEXT NOT NULL,
    first_inquiry_user TEXT NOT NULL,
    description        TEXT NOT NULL,
    hardship_types     TEXT NOT NULL,
    urgency            TEXT NOT NULL,
    urgency_rank       BIGINT NOT NULL,
    needs              TEXT NOT NULL,
    status             TEXT NOT NULL,
    duplicate_of       TEXT,
    verify_due_ms      BIGINT NOT NULL,
    created_ms         BIGINT NOT NULL,
    version            BIGINT NOT NULL
);
CREATE INDEX leads_queue ON leads (division, status, urgency_rank, verify_due_ms);
CREATE INDEX leads_id_number ON leads (subject_id_number);
CREATE INDEX leads_phone ON leads (subject_phone);
CREATE INDEX leads_first_inquiry ON leads (first_inquiry_unit, created_ms);

CREATE TABLE lead_numbers (
    street TEXT NOT NULL,
    year   BIGINT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (street, year)
);

CREATE TABLE timeline (
    id           TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    at_ms        BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    unit         TEXT NOT NULL,
    step         TEXT NOT NULL,
    note         TEXT NOT NULL
);
CREATE INDEX timeline_subject ON timeline (subject_id, at_ms);

CREATE TABLE idempotency_keys (
    actor        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    PRIMARY KEY (actor, key)
);

CREATE TABLE rule_time_limits (
    step           TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    hours          BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (step, urgency, effective_from)
);
-- No source fixes these (DOMAIN §10): placeholders an administrator replaces.
INSERT INTO rule_time_limits (step, urgency, hours, effective_from, placeholder, source) VALUES
    ('verify', 'critical', 2, 0, TRUE, 'placeholder: DOMAIN §3.7 gives no Beijing figure'),
    ('verify', 'urgent', 24, 0, TRUE, 'placeholder: DOMAIN §3.7 gives no Beijing figure'),
    ('verify', 'normal', 72, 0, TRUE, 'placeholder: DOMAIN §3.7 gives no Beijing figure');
