-- The chain head follows every appended audit entry inside the same statement, saving a round
-- trip per write on the hot path.
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
