-- Money limits (issue 11, defect 2): a ceiling per operation as dated rule data, and fund
-- balances that can never leave the range 0 … 9×10¹⁵ fen (an overflowing sum used to turn a
-- SQLite balance into REAL). SQLite keeps checks only in the table's text, so the table is
-- rebuilt; a database already holding an out-of-range balance stops here and must be repaired.

CREATE TABLE money_limits (
    operation      TEXT NOT NULL,
    max_fen        BIGINT NOT NULL CHECK (max_fen > 0 AND max_fen <= 9000000000000000),
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (operation, effective_from)
);

INSERT INTO money_limits (operation, max_fen, effective_from, placeholder, source) VALUES
 ('deposit', 10000000000, 0, TRUE, 'placeholder: at most 100,000,000 yuan per deposit'),
 ('allocation', 10000000000, 0, TRUE, 'placeholder: at most 100,000,000 yuan per allocation'),
 ('grant', 100000000, 0, TRUE, 'placeholder: at most 1,000,000 yuan per aid item, also 一事一议');

ALTER TABLE funds RENAME TO funds_unchecked;
DROP INDEX funds_unit;
CREATE TABLE funds (
    id            TEXT PRIMARY KEY,
    unit          TEXT NOT NULL,
    division      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    available_fen BIGINT NOT NULL CHECK (available_fen >= 0 AND available_fen <= 9000000000000000),
    reserved_fen  BIGINT NOT NULL CHECK (reserved_fen >= 0 AND reserved_fen <= 9000000000000000),
    paid_fen      BIGINT NOT NULL CHECK (paid_fen >= 0 AND paid_fen <= 9000000000000000),
    created_ms    BIGINT NOT NULL,
    version       BIGINT NOT NULL
);
INSERT INTO funds (id, unit, division, kind, name, available_fen, reserved_fen, paid_fen, created_ms, version)
    SELECT id, unit, division, kind, name, available_fen, reserved_fen, paid_fen, created_ms, version
    FROM funds_unchecked;
DROP TABLE funds_unchecked;
CREATE INDEX funds_unit ON funds (unit);
