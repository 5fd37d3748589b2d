-- Aid, approval and funds (257号 §三(二) 2, 5, §四(二); DOMAIN §3.4–3.8, §4.2–4.3, §9): standards
-- and amount rules as dated data, approval authority per level, 公示, and a double-entry
-- ledger whose balances cannot go below zero.

CREATE TABLE assistance_standards (
    region         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (region, kind, effective_from)
);

CREATE TABLE aid_tiers (
    aid_type       TEXT NOT NULL,
    tier           BIGINT NOT NULL,
    months         BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (aid_type, tier, effective_from)
);

CREATE TABLE approval_authority (
    programme      TEXT NOT NULL,
    level          TEXT NOT NULL,
    max_fen        BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (programme, level, effective_from)
);

CREATE TABLE frequency_rules (
    programme      TEXT NOT NULL,
    max_per_year   BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (programme, effective_from)
);

CREATE TABLE publicity_rules (
    programme      TEXT NOT NULL,
    aid_type       TEXT NOT NULL,
    required       BOOLEAN NOT NULL,
    days           BIGINT NOT NULL,
    fields         TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (programme, aid_type, effective_from)
);

CREATE TABLE funds (
    id            TEXT PRIMARY KEY,
    unit          TEXT NOT NULL,
    division      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    available_fen BIGINT NOT NULL CHECK (available_fen >= 0),
    reserved_fen  BIGINT NOT NULL CHECK (reserved_fen >= 0),
    paid_fen      BIGINT NOT NULL,
    created_ms    BIGINT NOT NULL,
    version       BIGINT NOT NULL
);
CREATE INDEX funds_unit ON funds (unit);

CREATE TABLE ledger_entries (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id      TEXT NOT NULL,
    fund_id    TEXT NOT NULL,
    account    TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    aid_id     TEXT NOT NULL,
    memo       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at_ms      BIGINT NOT NULL
);
CREATE INDEX ledger_fund ON ledger_entries (fund_id, at_ms);
CREATE INDEX ledger_aid ON ledger_entries (aid_id);

CREATE TABLE aid_items (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    case_number     TEXT NOT NULL,
    division        TEXT NOT NULL,
    programme       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    aid_type        TEXT NOT NULL,
    cause           TEXT NOT NULL,
    tier            BIGINT NOT NULL,
    persons         BIGINT NOT NULL,
    description     TEXT NOT NULL,
    proposed_fen    BIGINT NOT NULL,
    amount_fen      BIGINT NOT NULL,
    calculation     TEXT NOT NULL,
    change_reason   TEXT NOT NULL,
    special         BOOLEAN NOT NULL,
    required_level  TEXT NOT NULL,
    fund_id         TEXT NOT NULL,
    status          TEXT NOT NULL,
    delivery_method TEXT NOT NULL,
    delivery_ref    TEXT NOT NULL,
    paid_ms         BIGINT NOT NULL,
    refusal_reason  TEXT NOT NULL,
    action_id       TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_unit    TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX aid_items_case ON aid_items (case_id, created_ms);
CREATE INDEX aid_items_status ON aid_items (status, required_level, division text_pattern_ops);

CREATE TABLE aid_approvals (
    id      TEXT PRIMARY KEY,
    aid_id  TEXT NOT NULL REFERENCES aid_items (id),
    step    TEXT NOT NULL,
    level   TEXT NOT NULL,
    actor   TEXT NOT NULL,
    unit    TEXT NOT NULL,
    opinion TEXT NOT NULL,
    at_ms   BIGINT NOT NULL
);
CREATE INDEX aid_approvals_aid ON aid_approvals (aid_id, at_ms);

CREATE TABLE publicity_postings (
    id         TEXT PRIMARY KEY,
    aid_id     TEXT NOT NULL REFERENCES aid_items (id),
    case_id    TEXT NOT NULL,
    division   TEXT NOT NULL,
    programme  TEXT NOT NULL,
    head_name  TEXT NOT NULL,
    persons    BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    start_ms   BIGINT NOT NULL,
    end_ms     BIGINT NOT NULL,
    status     TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX publicity_open ON publicity_postings (status, end_ms);

CREATE TABLE publicity_objections (
    id          TEXT PRIMARY KEY,
    posting_id  TEXT NOT NULL REFERENCES publicity_postings (id),
    text        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    at_ms       BIGINT NOT NULL
);

-- Beijing's 低保 standard, yuan per person per month in fen (DOMAIN §4.3).
INSERT INTO assistance_standards (region, kind, effective_from, amount_fen, placeholder, source) VALUES
 ('11', 'dibao', 1420041600000, 71000, FALSE, 'chinahumanrights.org 2016-01-05 (DOMAIN §4.3) [S]'),
 ('11', 'dibao', 1451577600000, 80000, TRUE, 'unconfirmed: inferred between 710 and 900 (DOMAIN §4.3) [U]'),
 ('11', 'dibao', 1483200000000, 90000, FALSE, '工人日报 2017-01-26 (DOMAIN §4.3) [S]'),
 ('11', 'dibao', 1514736000000, 100000, FALSE, 'China Daily 2019-01-22 (DOMAIN §4.3) [S]'),
 ('11', 'dibao', 1561910400000, 110000, TRUE, 'value from the 2020 notice; date unconfirmed (DOMAIN §4.3)'),
 ('11', 'dibao', 1593532800000, 117000, FALSE, '北京青年报 2020-07-16 (DOMAIN §4.3) [S]'),
 ('11', 'dibao', 1625068800000, 124500, FALSE, '中新网 2021-07-14 (DOMAIN §4.3) [S]'),
 ('11', 'dibao', 1656604800000, 132000, FALSE, '北京日报 2022-07-28 (DOMAIN §4.3) [S]'),
 ('11', 'dibao', 1688140800000, 139500, TRUE, 'unconfirmed: +75 pattern (DOMAIN §4.3) [U]'),
 ('11', 'dibao', 1719763200000, 145000, TRUE, 'weak source: verify against beijing.gov.cn (DOMAIN §4.3)'),
 ('11', 'dibao', 1751299200000, 145000, TRUE, 'unknown: 2024 value carried over until the 2025 standard is entered');

-- Temporary assistance: 急难型 1, 2 or 3 months of the standard per person (京政发〔2015〕26号 and
-- the 2020 notice, DOMAIN §4.2); 支出型 tiers are placeholders.
INSERT INTO aid_tiers (aid_type, tier, months, effective_from, placeholder, source) VALUES
 ('emergency', 1, 1, 0, FALSE, '京政发〔2015〕26号; 2020 notice (DOMAIN §4.2) [S]'),
 ('emergency', 2, 2, 0, FALSE, '京政发〔2015〕26号; 2020 notice (DOMAIN §4.2) [S]'),
 ('emergency', 3, 3, 0, FALSE, '京政发〔2015〕26号; 2020 notice (DOMAIN §4.2) [S]'),
 ('expenditure', 1, 2, 0, TRUE, 'placeholder: tiers by spending and severity (2020 notice) not retrieved'),
 ('expenditure', 2, 4, 0, TRUE, 'placeholder: tiers by spending and severity (2020 notice) not retrieved'),
 ('expenditure', 3, 6, 0, TRUE, 'placeholder: tiers by spending and severity (2020 notice) not retrieved');

-- Up to what amount each level approves (DOMAIN §4.2: unconfirmed for Beijing).
INSERT INTO approval_authority (programme, level, max_fen, effective_from, placeholder, source) VALUES
 ('temporary', 'street', 300000, 0, TRUE, 'placeholder: Beijing street ceiling unconfirmed (DOMAIN §4.2)'),
 ('temporary', 'district', 2000000, 0, TRUE, 'placeholder: above this only 一事一议');

INSERT INTO frequency_rules (programme, max_per_year, effective_from, placeholder, source) VALUES
 ('temporary', 1, 0, TRUE, '原则上同一事由一年内只救助一次 [L] (DOMAIN §3.6)');

INSERT INTO publicity_rules (programme, aid_type, required, days, fields, effective_from, placeholder, source) VALUES
 ('temporary', 'expenditure', TRUE, 7, 'head_name,persons,amount,reason', 0, TRUE, '支出型 recipients published (DOMAIN §3.8); 7 days [L]'),
 ('temporary', 'emergency', FALSE, 0, '', 0, FALSE, '急难型 exempt from name lists (DOMAIN §3.8, §8)');

CREATE FUNCTION ledger_reject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries are append-only: post a reversing entry';
END
$$;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_reject();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject();
