-- Reporting: the counts the weekly table reads instead of scanning the ledger, the indexes of
-- the period figures, the submitted reports (frozen snapshots, every version kept), the
-- drafts of their narratives, and the key that makes re-importing a ledger idempotent.

-- Main matters per unit (the unit itself, not its subtree) by status: the table rolls these up
-- the tree itself, so each row is the sum of its leaves by construction.
CREATE TABLE unit_counts (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit_id, status)
);
INSERT INTO unit_counts (unit_id, status, n)
    SELECT unit_id, status, COUNT(*) FROM matters WHERE top_level = 1 GROUP BY unit_id, status;

-- Main matters per unit subtree, content area (0 = none) and status: the content-area mix of
-- any subtree in a handful of rows.
CREATE TABLE subtree_area_counts (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    content_area_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit_id, content_area_id, status)
);
INSERT INTO subtree_area_counts (unit_id, content_area_id, status, n)
    SELECT u.id, COALESCE(m.content_area_id, 0), m.status, COUNT(*)
    FROM matters m JOIN units u ON m.unit_path >= u.path AND m.unit_path < u.path || '~'
    WHERE m.top_level = 1
    GROUP BY u.id, COALESCE(m.content_area_id, 0), m.status;

-- The period figures read only the matters of the period, from these indexes alone.
CREATE INDEX matters_created ON matters(created_at, top_level, status, unit_id, content_area_id);
CREATE INDEX matters_completed_on ON matters(completed_on, top_level, status, unit_id, content_area_id, original_deadline, deadline);
CREATE INDEX matters_open_due ON matters(status, deadline, top_level, unit_id);
CREATE INDEX demand_events_at ON demand_events(at);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    -- The figures as they were at submission, JSON; never updated.
    figures TEXT NOT NULL,
    narrative TEXT NOT NULL,
    submitted_by INTEGER REFERENCES users(id),
    submitted_at INTEGER NOT NULL,
    UNIQUE (kind, unit_id, period, version)
);
CREATE INDEX reports_period ON reports(kind, period, unit_id);

CREATE TABLE report_drafts (
    kind TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    narrative TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, unit_id, period)
);

-- Set on matters created by an Excel import: the same row imported again finds its matter.
ALTER TABLE matters ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX matters_import_key ON matters(import_key);

-- Workbooks checked in a dry run, kept for the person who checked them until they confirm the
-- import (or a day passes), so that confirming does not ask for the file again. `mapping`
-- holds the column mapping and the sheet chosen, as JSON.
CREATE TABLE import_uploads (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    data BLOB NOT NULL,
    mapping TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX import_uploads_created ON import_uploads(created_at);
