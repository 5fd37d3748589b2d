-- Every clock on the same durable deadlines (issue 12 item 7, ADR 0009 addendum): a lead's
-- verification and each step of a case (investigation, preliminary review) get a row in
-- `deadlines`, warn, open 督办 items and escalate like the disposition steps. A 督办 item carries the supervisor's instruction and the
-- responsible unit's reply.

-- The limits of verification, investigation and review stay per urgency; when to warn and
-- how often to escalate are rule data beside them (placeholders: no source fixes them).
ALTER TABLE rule_time_limits ADD COLUMN warn_hours BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rule_time_limits ADD COLUMN escalate_after_days BIGINT NOT NULL DEFAULT 2;
UPDATE rule_time_limits SET warn_hours = 1, escalate_after_days = 1 WHERE step = 'verify' AND urgency = 'critical';
UPDATE rule_time_limits SET warn_hours = 4, escalate_after_days = 1 WHERE step = 'verify' AND urgency = 'urgent';
UPDATE rule_time_limits SET warn_hours = 12, escalate_after_days = 2 WHERE step = 'verify' AND urgency = 'normal';
UPDATE rule_time_limits SET warn_hours = 6, escalate_after_days = 1 WHERE step <> 'verify' AND urgency = 'critical';
UPDATE rule_time_limits SET warn_hours = 12, escalate_after_days = 2 WHERE step <> 'verify' AND urgency = 'urgent';
UPDATE rule_time_limits SET warn_hours = 24, escalate_after_days = 2 WHERE step <> 'verify' AND urgency = 'normal';

-- What an item is about (a lead has no case yet), and the exchange between the two units.
ALTER TABLE supervision_items ADD COLUMN subject_type TEXT NOT NULL DEFAULT 'case';
ALTER TABLE supervision_items ADD COLUMN subject_id TEXT NOT NULL DEFAULT '';
ALTER TABLE supervision_items ADD COLUMN instruction TEXT NOT NULL DEFAULT '';
ALTER TABLE supervision_items ADD COLUMN instruction_by TEXT NOT NULL DEFAULT '';
ALTER TABLE supervision_items ADD COLUMN instruction_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE supervision_items ADD COLUMN reply TEXT NOT NULL DEFAULT '';
ALTER TABLE supervision_items ADD COLUMN reply_by TEXT NOT NULL DEFAULT '';
ALTER TABLE supervision_items ADD COLUMN reply_ms BIGINT NOT NULL DEFAULT 0;
UPDATE supervision_items SET subject_id = case_id;

-- Clocks for the steps already running when this migration runs, from the limit in force
-- (the latest row of the step and urgency); first warnings and breaches follow at the next sweep.
INSERT INTO deadlines (id, subject_type, subject_id, case_id, case_number, division, step, rule, responsible_unit,
    responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, next_ms, paused_ms,
    pause_reason, closed_ms, version)
SELECT l.id || '-verify', 'lead', l.id, '', l.number, l.division, 'lead.verify',
    'limits/verify/' || l.urgency || '@' || r.effective_from, l.responsible_unit, '', l.created_ms, l.verify_due_ms,
    l.verify_due_ms - r.warn_hours * 3600000, r.escalate_after_days, 'open', FALSE, 0,
    l.verify_due_ms - r.warn_hours * 3600000, 0, '', 0, 1
FROM leads l JOIN rule_time_limits r ON r.step = 'verify' AND r.urgency = l.urgency
    AND r.effective_from = (SELECT MAX(q.effective_from) FROM rule_time_limits q WHERE q.step = 'verify' AND q.urgency = l.urgency)
WHERE l.status = 'new';

INSERT INTO deadlines (id, subject_type, subject_id, case_id, case_number, division, step, rule, responsible_unit,
    responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, next_ms, paused_ms,
    pause_reason, closed_ms, version)
SELECT c.id || '-step-' || c.version, 'case', c.id, c.id, c.number, c.division,
    CASE WHEN c.status = 'investigating' THEN 'case.investigate' ELSE 'case.review' END,
    'limits/' || r.step || '/' || c.urgency || '@' || r.effective_from, c.responsible_unit, c.responsible_user,
    c.updated_ms, c.step_due_ms, c.step_due_ms - r.warn_hours * 3600000, r.escalate_after_days, 'open', FALSE, 0,
    c.step_due_ms - r.warn_hours * 3600000, 0, '', 0, 1
FROM cases c JOIN rule_time_limits r
    ON r.step = CASE WHEN c.status = 'investigating' THEN 'investigate' ELSE 'review' END AND r.urgency = c.urgency
    AND r.effective_from = (SELECT MAX(q.effective_from) FROM rule_time_limits q WHERE q.step = r.step AND q.urgency = c.urgency)
WHERE c.status IN ('investigating', 'reviewing');
