-- Driving matters to done: supervision orders (督办单), deadline extensions (延期), acceptance
-- and the requesters' verdicts (评价/回访), and the durable machinery behind notifications: the
-- background jobs, the delivery outbox and the webhooks per unit.

ALTER TABLE matters ADD COLUMN extension_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE matters ADD COLUMN return_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE matters ADD COLUMN rework_count BIGINT NOT NULL DEFAULT 0;
-- Beijing dates of the last completion claim and the last acceptance.
ALTER TABLE matters ADD COLUMN completed_on TEXT;
ALTER TABLE matters ADD COLUMN accepted_on TEXT;
-- Set by the overdue sweep so each lateness is announced once; cleared by an extension.
ALTER TABLE matters ADD COLUMN overdue_marked_on TEXT;
-- Open supervision orders on the matter (督办中 when > 0).
ALTER TABLE matters ADD COLUMN open_orders BIGINT NOT NULL DEFAULT 0;

ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE users ADD COLUMN email_notifications BIGINT NOT NULL DEFAULT 1;

ALTER TABLE demands ADD COLUMN rework_count BIGINT NOT NULL DEFAULT 0;

-- One occurrence of an event reaches a person once, however often a sweep runs.
ALTER TABLE notifications ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX notifications_dedupe ON notifications(dedupe_key);

CREATE TABLE supervision_orders (
    id BIGSERIAL PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    unit_path TEXT NOT NULL,
    level TEXT NOT NULL,
    requirement TEXT NOT NULL,
    reply_due TEXT NOT NULL,
    -- The unit whose leaders are pressed: the matter's own, then the one above on escalation.
    attention_unit_id BIGINT NOT NULL REFERENCES units(id),
    state TEXT NOT NULL,
    issued_by BIGINT REFERENCES users(id),
    escalated_from BIGINT REFERENCES supervision_orders(id),
    reply TEXT NOT NULL DEFAULT '',
    replied_by BIGINT REFERENCES users(id),
    replied_at BIGINT,
    progress_id BIGINT REFERENCES progress_entries(id),
    closed_by BIGINT REFERENCES users(id),
    closed_at BIGINT,
    close_note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX orders_matter ON supervision_orders(matter_id, id);
CREATE INDEX orders_state_due ON supervision_orders(state, reply_due);
CREATE INDEX orders_path ON supervision_orders(unit_path, id);

CREATE TABLE extension_requests (
    id BIGSERIAL PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    requested_by BIGINT NOT NULL REFERENCES users(id),
    current_deadline TEXT NOT NULL,
    proposed_deadline TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX extensions_matter ON extension_requests(matter_id, id);
CREATE INDEX extensions_state ON extension_requests(state, id);

-- Each requester asked to judge a result, and the verdict once given. requester_key is
-- 'u{user id}' for a person with an account or 'd{demand id}' for the tracking-code holder of
-- an anonymous demand; it exists to keep one verdict per person and is never shown.
CREATE TABLE evaluations (
    id BIGSERIAL PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    round BIGINT NOT NULL,
    demand_id BIGINT NOT NULL REFERENCES demands(id),
    unit_path TEXT NOT NULL,
    requester_key TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    state TEXT NOT NULL,
    verdict TEXT,
    comment TEXT NOT NULL DEFAULT '',
    via TEXT,
    recorded_by BIGINT REFERENCES users(id),
    contact_name TEXT NOT NULL DEFAULT '',
    contacted_at BIGINT,
    asked_at BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    rated_at BIGINT,
    UNIQUE (subject_type, subject_id, round, requester_key)
);
CREATE INDEX evaluations_subject ON evaluations(subject_type, subject_id, round);
CREATE INDEX evaluations_user ON evaluations(user_id, state);
CREATE INDEX evaluations_demand ON evaluations(demand_id);
CREATE INDEX evaluations_state_path ON evaluations(state, unit_path);

CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT '',
    include_subtree BIGINT NOT NULL DEFAULT 1,
    -- Comma-separated event kinds; empty means every event.
    events TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_unit ON webhooks(unit_id);

-- The outbox: every e-mail and webhook call to make, written in the transaction of the event
-- that caused it, sent by the worker, retried with backoff, and kept with its outcome.
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    webhook_id BIGINT REFERENCES webhooks(id),
    recipient TEXT NOT NULL,
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);

-- Periodic work (the sweeps). A process runs a job only after taking its lease, so several
-- servers on one database run each round once; run_at survives restarts.
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    run_at BIGINT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    runs BIGINT NOT NULL DEFAULT 0,
    last_started_at BIGINT,
    last_finished_at BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    last_summary TEXT NOT NULL DEFAULT ''
);
