-- Queues sorted by urgency and deadline straight from an index, for every level of
-- jurisdiction: street (9-digit prefix), district (6-digit prefix), city (status only);
-- communities use the existing (division, status, ...) indexes.
CREATE INDEX cases_queue_street ON cases ((substr(division, 1, 9)), status, urgency_rank, step_due_ms, id);
CREATE INDEX cases_queue_district ON cases ((substr(division, 1, 6)), status, urgency_rank, step_due_ms, id);
CREATE INDEX cases_queue_city ON cases (status, urgency_rank, step_due_ms, id);
CREATE INDEX leads_queue_street ON leads ((substr(division, 1, 9)), status, urgency_rank, verify_due_ms, id);
CREATE INDEX leads_queue_district ON leads ((substr(division, 1, 6)), status, urgency_rank, verify_due_ms, id);
CREATE INDEX leads_queue_city ON leads (status, urgency_rank, verify_due_ms, id);
