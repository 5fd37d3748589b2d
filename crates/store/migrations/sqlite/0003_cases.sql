-- Cases: accepted leads with their household file, investigations and review opinion.
CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    lead_id            TEXT NOT NULL REFERENCES leads (id),
    subject_name       TEXT NOT NULL,
    subject_id_number  TEXT,
    subject_phone      TEXT,
    division           TEXT NOT NULL,
    responsible_unit   TEXT NOT NULL,
    responsible_user   TEXT NOT NULL,
    first_inquiry_unit TEXT NOT NULL,
    status             TEXT NOT NULL,
    urgency            TEXT NOT NULL,
    urgency_rank       BIGINT NOT NULL,
    hardship_types     TEXT NOT NULL,
    documents_pending  BOOLEAN NOT NULL,
    household          TEXT NOT NULL,
    economy            TEXT NOT NULL,
    population         TEXT NOT NULL,
    review_opinion     TEXT NOT NULL,
    recommended_routes TEXT NOT NULL,
    step_due_ms        BIGINT NOT NULL,
    created_ms         BIGINT NOT NULL,
    updated_ms         BIGINT NOT NULL,
    version            BIGINT NOT NULL
);
CREATE INDEX cases_queue ON cases (division, status, urgency_rank, step_due_ms);
CREATE INDEX cases_id_number ON cases (subject_id_number);
CREATE INDEX cases_lead ON cases (lead_id);

CREATE TABLE case_numbers (
    street TEXT NOT NULL,
    year   BIGINT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (street, year)
);

CREATE TABLE investigations (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    method       TEXT NOT NULL,
    investigator TEXT NOT NULL,
    unit         TEXT NOT NULL,
    done_ms      BIGINT NOT NULL,
    findings     TEXT NOT NULL,
    created_ms   BIGINT NOT NULL
);
CREATE INDEX investigations_case ON investigations (case_id, done_ms);

INSERT INTO rule_time_limits (step, urgency, hours, effective_from, placeholder, source) VALUES
    ('investigate', 'critical', 24, 0, TRUE, 'placeholder: DOMAIN §3.7 local examples use 10 working days'),
    ('investigate', 'urgent', 72, 0, TRUE, 'placeholder: DOMAIN §3.7 local examples use 10 working days'),
    ('investigate', 'normal', 240, 0, TRUE, 'placeholder: DOMAIN §3.7 local examples use 10 working days'),
    ('review', 'critical', 24, 0, TRUE, 'placeholder: DOMAIN §3.7'),
    ('review', 'urgent', 48, 0, TRUE, 'placeholder: DOMAIN §3.7'),
    ('review', 'normal', 120, 0, TRUE, 'placeholder: DOMAIN §3.7');

ALTER TABLE leads ADD COLUMN outcome_note TEXT NOT NULL DEFAULT '';
