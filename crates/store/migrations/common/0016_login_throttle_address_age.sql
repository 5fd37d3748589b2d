-- Every failed sign-in first removes the address rows that have been quiet long enough
-- (`last_failure_ms < quiet_since AND locked_until_ms < quiet_since`). Many addresses (a
-- botnet) would make that a scan of the whole table per failure; the index finds the quiet
-- rows directly.
CREATE INDEX login_throttle_addresses_age ON login_throttle_addresses (last_failure_ms);
