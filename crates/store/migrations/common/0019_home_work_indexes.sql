-- The home page lists the running clocks of the user's unit, soonest due first, and charts the
-- 督办 items opened per week in the user's jurisdiction (issue 12, work-first home pages).
CREATE INDEX deadlines_unit_open ON deadlines (responsible_unit, state, due_ms);
CREATE INDEX supervision_division_created ON supervision_items (division, created_ms);
