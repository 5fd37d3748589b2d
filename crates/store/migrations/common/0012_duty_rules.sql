-- Separation of duties on aid (issue 11, defect 4): by default the proposer, reviewer and
-- approver of an item are three people and the payment is recorded by someone other than the
-- approver. A street or district with too few staff may get a dated exception naming the
-- pairs of steps one person may take (`allowed`, comma-separated; empty = strict again).
-- No rows: strict everywhere.

CREATE TABLE duty_rules (
    division       TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    allowed        TEXT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (division, effective_from)
);
