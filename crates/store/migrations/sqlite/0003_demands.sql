-- Demands (诉求) from every channel, their co-signers, events, evidence, the categories,
-- decline reasons and response limits that govern them, and the in-app notification inbox.
CREATE TABLE demand_categories (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO demand_categories (code, name_zh, name_en, sort_order) VALUES
    ('logistics', '后勤保障', 'Facilities and services', 1),
    ('canteen', '食堂餐饮', 'Canteen', 2),
    ('transport', '交通出行', 'Commuting', 3),
    ('pay', '薪酬福利', 'Pay and benefits', 4),
    ('health', '医疗健康', 'Health', 5),
    ('education', '子女教育', 'Children''s schooling', 6),
    ('housing', '住房宿舍', 'Housing and dormitories', 7),
    ('safety', '安全生产', 'Safety at work', 8),
    ('culture', '文体活动', 'Culture and sports', 9),
    ('office', '办公条件', 'Working conditions', 10),
    ('other', '其他', 'Other', 99);

CREATE TABLE decline_reasons (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO decline_reasons (code, name_zh, name_en, sort_order) VALUES
    ('out_of_scope', '不属于受理范围', 'Outside what we handle', 1),
    ('unclear', '诉求内容不明确，无法办理', 'Too unclear to act on', 2),
    ('policy', '已有明确政策规定', 'Settled by existing policy', 3),
    ('legal', '应通过诉讼、仲裁或信访等法定途径解决', 'Belongs to a legal procedure', 4),
    ('other', '其他', 'Other', 99);

-- Working-day limits to accept and to answer. unit_id 0 and category_id 0 mean "any"; the
-- most specific row wins (unit and category, then unit, then category, then the default).
CREATE TABLE response_limits (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL DEFAULT 0,
    category_id INTEGER NOT NULL DEFAULT 0,
    accept_days INTEGER NOT NULL,
    answer_days INTEGER NOT NULL,
    UNIQUE (unit_id, category_id)
);
INSERT INTO response_limits (unit_id, category_id, accept_days, answer_days) VALUES (0, 0, 2, 10);

-- A symposium, leader's visit or on-site office: one record, many demands.
CREATE TABLE intake_batches (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    details TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE demands (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    category_id INTEGER REFERENCES demand_categories(id),
    channel TEXT NOT NULL,
    channel_details TEXT NOT NULL DEFAULT '{}',
    batch_id INTEGER REFERENCES intake_batches(id),
    submitter_id INTEGER REFERENCES users(id),
    anonymous INTEGER NOT NULL DEFAULT 0,
    contact TEXT NOT NULL DEFAULT '',
    tracking_code TEXT UNIQUE,
    recorded_by INTEGER REFERENCES users(id),
    status TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    decline_reason_id INTEGER REFERENCES decline_reasons(id),
    merged_into INTEGER REFERENCES demands(id),
    matter_id INTEGER REFERENCES matters(id),
    transferred_from INTEGER REFERENCES units(id),
    accept_due TEXT NOT NULL,
    answer_due TEXT NOT NULL,
    accepted_at INTEGER,
    closed_at INTEGER,
    idempotency_key TEXT UNIQUE,
    signature BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX demands_path ON demands(unit_path, id);
CREATE INDEX demands_status_path ON demands(status, unit_path, id);
CREATE INDEX demands_submitter ON demands(submitter_id);
CREATE INDEX demands_matter ON demands(matter_id);
CREATE INDEX demands_created ON demands(created_at);

CREATE TABLE demand_cosigners (
    demand_id INTEGER NOT NULL REFERENCES demands(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (demand_id, user_id)
);
CREATE INDEX demand_cosigners_user ON demand_cosigners(user_id);

-- Every step on a demand, with the unit whose inbox it was in: the response figures are
-- computed from these rows.
CREATE TABLE demand_events (
    id INTEGER PRIMARY KEY,
    demand_id INTEGER NOT NULL REFERENCES demands(id),
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    to_unit_id INTEGER REFERENCES units(id),
    text TEXT NOT NULL DEFAULT '',
    -- The limit in force when the step was taken (accept-by for an acceptance, answer-by for
    -- a closing step), so a later transfer cannot rewrite whether it was on time.
    due TEXT NOT NULL DEFAULT ''
);
CREATE INDEX demand_events_demand ON demand_events(demand_id, id);
CREATE INDEX demand_events_path ON demand_events(unit_path, at);

CREATE TABLE demand_files (
    id INTEGER PRIMARY KEY,
    demand_id INTEGER NOT NULL REFERENCES demands(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX demand_files_demand ON demand_files(demand_id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
