-- The chain head follows every appended audit entry inside the same statement, saving a round
-- trip per write on the hot path.
CREATE FUNCTION audit_log_follow_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_follow_head();
