-- The chain head only moves forward: when several entries are inserted by one statement (the
-- grouped records of reads on PostgreSQL), the head ends on the highest sequence number
-- whatever order the rows are inserted in. Same on both databases.
DROP TRIGGER audit_log_head;
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq;
END;
