-- What a database was made for (issue 19, guards): `demo` once `serve --demo` has loaded the
-- demo accounts. The test clock and the demo accounts work only on a database marked so, and
-- the demo is never loaded into a database holding anyone else's accounts.
CREATE TABLE instance_marks (
    mark   TEXT PRIMARY KEY,
    set_ms BIGINT NOT NULL
);
-- A database made by an earlier `serve --demo` holds only the demo accounts: it is a demo.
INSERT INTO instance_marks (mark, set_ms)
SELECT 'demo', 0 WHERE EXISTS (SELECT 1 FROM users WHERE username = 'admin')
    AND NOT EXISTS (SELECT 1 FROM users WHERE username NOT IN ('admin', 'supervisor', 'auditor', 'cy_approver',
        'cy_health', 'city_health', 'cy_relief', 'jw_reviewer', 'jw_clerk', 'jw_community'));
