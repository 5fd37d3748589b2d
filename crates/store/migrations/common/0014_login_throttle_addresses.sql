-- Login throttling per client address (issue 11, defect 7; ADR 0020), next to the per-name
-- `login_throttle`. `address` is the throttle key: an IPv4 address or an IPv6 /64.
CREATE TABLE login_throttle_addresses (
    address         TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL
);
