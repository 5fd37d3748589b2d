-- The steps of an aid item on the same durable deadlines (issue 12 item 7, ADR 0009 addendum):
-- 审核 (the street reviews a proposal), 审批 (the level the amount requires approves) and 发放
-- (the street pays what was approved) each open a clock, warn, open 督办 items and escalate.
-- Placeholders: no Beijing source fixes them; the Chuxiong example gives 10 working days for
-- the township's review and 10 for the county's approval [L] (DOMAIN §5.5).
INSERT INTO rule_deadlines VALUES
 ('aid', 'review', '*', 'working_days', 10, 24, 2, 0, TRUE, 'placeholder: Chuxiong example, township review within 10 working days [L] (DOMAIN §5.5)', 'system', 0),
 ('aid', 'approve', '*', 'working_days', 10, 24, 2, 0, TRUE, 'placeholder: Chuxiong example, county approval within 10 working days [L] (DOMAIN §5.5)', 'system', 0),
 ('aid', 'pay', '*', 'working_days', 5, 24, 2, 0, TRUE, 'placeholder: no source; payment after approval', 'system', 0);

-- Items already waiting get a clock from their last step, counted in calendar days (SQL has
-- no working-day calendar; calendar days are the stricter reading). Later steps count working days.
INSERT INTO deadlines (id, subject_type, subject_id, case_id, case_number, division, step, rule, responsible_unit,
    responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, next_ms, paused_ms,
    pause_reason, closed_ms, version)
SELECT a.id || '-step-' || a.version, 'aid', a.id, a.case_id, a.case_number, a.division,
    'aid.' || r.step, 'aid/' || r.step || '/*@0',
    CASE WHEN r.step = 'approve' AND a.required_level = 'district' THEN SUBSTR(a.division, 1, 6) || ':mz'
         ELSE SUBSTR(a.division, 1, 9) || ':mz' END,
    '', a.updated_ms, a.updated_ms + r.amount * 86400000, a.updated_ms + r.amount * 86400000 - r.warn_hours * 3600000,
    r.escalate_after_days, 'open', FALSE, 0, a.updated_ms + r.amount * 86400000 - r.warn_hours * 3600000, 0, '', 0, 1
FROM aid_items a JOIN rule_deadlines r ON r.route = 'aid' AND r.to_kind = '*' AND r.effective_from = 0
    AND r.step = CASE a.status WHEN 'proposed' THEN 'review' WHEN 'reviewed' THEN 'approve' ELSE 'pay' END
WHERE a.status IN ('proposed', 'reviewed', 'approved');
