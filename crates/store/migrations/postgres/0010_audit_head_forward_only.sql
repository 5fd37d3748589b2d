-- The chain head only moves forward: when several entries are inserted by one statement (the
-- grouped records of reads), the head ends on the highest sequence number whatever order the
-- rows are inserted in. Same on both databases.
CREATE OR REPLACE FUNCTION audit_log_follow_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq;
    RETURN NULL;
END
$$;
