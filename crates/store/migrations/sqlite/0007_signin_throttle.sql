-- Sign-in throttling, shared by every server on the database: one row per client address,
-- account name (hashed, whether or not such an account exists) and trusted device that has
-- tried recently. The counters of users.failed_logins / users.locked_until are no longer used.
CREATE TABLE signin_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
-- Old rows are pruned by age.
CREATE INDEX signin_throttle_updated ON signin_throttle(updated_at);
