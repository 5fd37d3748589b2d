-- Web form submissions already seen, so that a form sent twice (a double click, a reload
-- that re-posts, a retry after a dropped connection) is carried out once. The key is a
-- digest of the user, the path and the whole body, which carries a token drawn when the
-- form was rendered. `location` is where the first submission led (its redirect); NULL
-- while it runs. Rows older than a day are pruned. See docs/adr/0013-form-submissions.md.
CREATE TABLE form_submissions (
    key        TEXT PRIMARY KEY,
    created_ms BIGINT NOT NULL,
    location   TEXT
);
CREATE INDEX form_submissions_age ON form_submissions (created_ms);
