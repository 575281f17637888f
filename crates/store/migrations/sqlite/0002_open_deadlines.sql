-- Open work (approved, in progress) by unit subtree and deadline: the overdue count of any
-- subtree is a sum over the days before today, however many matters there are.
CREATE TABLE open_deadline_counts (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    deadline TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit_id, deadline)
);
-- At-risk counts read the few days before the warning horizon from this index alone
-- (it covers every column they test), at any subtree size.
CREATE INDEX matters_status_deadline ON matters(status, deadline, unit_path, progress);
INSERT INTO open_deadline_counts (unit_id, deadline, n)
    SELECT u.id, m.deadline, COUNT(*)
    FROM matters m JOIN units u ON m.unit_path >= u.path AND m.unit_path < u.path || '~'
    WHERE m.status IN ('approved', 'in_progress') AND m.deadline IS NOT NULL
    GROUP BY u.id, m.deadline;
