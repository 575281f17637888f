-- Units, people, grants, campaigns, matters, progress, files, audit, sessions, calendar.
-- Timestamps are milliseconds since the epoch (UTC); dates are ISO 'YYYY-MM-DD' text.
CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT COLLATE "C" NOT NULL DEFAULT '',
    sort_order BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX units_path ON units(path);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE grants (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, role, unit_id)
);
CREATE INDEX grants_unit ON grants(unit_id);

CREATE TABLE content_areas (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1
);
INSERT INTO content_areas (code, name_zh, name_en, sort_order) VALUES
    ('grassroots', '服务基层', 'Serving the grassroots', 1),
    ('employees', '关爱员工', 'Caring for employees', 2),
    ('military', '为军惠军', 'Serving the military', 3),
    ('rural', '助力乡村振兴', 'Rural revitalisation', 4),
    ('partners', '支持合作伙伴', 'Supporting partners', 5);

CREATE TABLE campaigns (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    stage TEXT NOT NULL,
    scope_unit_id BIGINT NOT NULL REFERENCES units(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE matters (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES matters(id),
    campaign_id BIGINT REFERENCES campaigns(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT COLLATE "C" NOT NULL,
    owner_id BIGINT REFERENCES users(id),
    measures TEXT NOT NULL DEFAULT '',
    deadline TEXT COLLATE "C",
    original_deadline TEXT COLLATE "C",
    acceptance_standard TEXT NOT NULL DEFAULT '',
    supervisor_id BIGINT REFERENCES users(id),
    content_area_id BIGINT REFERENCES content_areas(id),
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    status_reason TEXT NOT NULL DEFAULT '',
    progress BIGINT NOT NULL DEFAULT 0,
    top_level BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX matters_path ON matters(unit_path, id);
CREATE INDEX matters_status_path ON matters(status, unit_path, id);
CREATE INDEX matters_owner ON matters(owner_id);
CREATE INDEX matters_campaign ON matters(campaign_id);
CREATE INDEX matters_parent ON matters(parent_id);
CREATE INDEX matters_deadline ON matters(deadline);

-- Per unit, the number of matters in its whole subtree by status: the ledger's totals and the
-- summary line read a handful of rows here instead of counting a million.
CREATE TABLE subtree_counts (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    top_level BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (unit_id, status, top_level)
);

CREATE TABLE progress_entries (
    id BIGSERIAL PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    author_id BIGINT REFERENCES users(id),
    percent BIGINT NOT NULL,
    narrative TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX progress_matter ON progress_entries(matter_id, id);

CREATE TABLE files (
    id BIGSERIAL PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    progress_id BIGINT REFERENCES progress_entries(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX files_progress ON files(progress_id);
CREATE INDEX files_matter ON files(matter_id);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id BIGINT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_events(entity_type, entity_id, seq);

-- One row: the last sequence number and hash. Updating it first serialises appends on
-- PostgreSQL (row lock) as SQLite's single writer does.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '');

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE calendar_days (
    day TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
