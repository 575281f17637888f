-- Every occurrence ever announced, by its key: a sweep that meets an occurrence again stops at
-- one lookup instead of retrying each notification and delivery it would have written.
CREATE TABLE announced (
    key TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
