-- The home page lists the running clocks of the user's unit, soonest due first, and charts the
-- 督办 items opened per week in the user's jurisdiction (issue 12, work-first home pages).
CREATE INDEX deadlines_unit_open ON deadlines (responsible_unit, state, due_ms);
CREATE INDEX supervision_division_created ON supervision_items (division, created_ms);
-- … and counts the running clocks of one step in the user's jurisdiction (follow-up visits due).
CREATE INDEX deadlines_step_open ON deadlines (step, state, division);

-- 督办 items opened before migration 0017 were all taken to be about their case: say what
-- their clock is about (an action, an aid item, a lead) where the clock is known.
UPDATE supervision_items SET
    subject_type = (SELECT d.subject_type FROM deadlines d WHERE d.id = supervision_items.deadline_id),
    subject_id = (SELECT d.subject_id FROM deadlines d WHERE d.id = supervision_items.deadline_id)
WHERE EXISTS (SELECT 1 FROM deadlines d WHERE d.id = supervision_items.deadline_id);
