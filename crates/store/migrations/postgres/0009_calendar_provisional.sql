-- The provisional calendar. Each named day keeps its festivals as codes (holidays), so pages
-- name them in the reader's language; the names already stored are read once here.
ALTER TABLE calendar_days ADD COLUMN holidays TEXT NOT NULL DEFAULT '';
UPDATE calendar_days SET holidays = 'new_year' WHERE name LIKE '%元旦%';
UPDATE calendar_days SET holidays = CASE WHEN holidays = '' THEN 'spring_festival' ELSE holidays || ',spring_festival' END WHERE name LIKE '%春节%';
UPDATE calendar_days SET holidays = CASE WHEN holidays = '' THEN 'qingming' ELSE holidays || ',qingming' END WHERE name LIKE '%清明%';
UPDATE calendar_days SET holidays = CASE WHEN holidays = '' THEN 'labour_day' ELSE holidays || ',labour_day' END WHERE name LIKE '%劳动%';
UPDATE calendar_days SET holidays = CASE WHEN holidays = '' THEN 'dragon_boat' ELSE holidays || ',dragon_boat' END WHERE name LIKE '%端午%';
UPDATE calendar_days SET holidays = CASE WHEN holidays = '' THEN 'mid_autumn' ELSE holidays || ',mid_autumn' END WHERE name LIKE '%中秋%';
UPDATE calendar_days SET holidays = CASE WHEN holidays = '' THEN 'national_day' ELSE holidays || ',national_day' END WHERE name LIKE '%国庆%';

-- A deadline given as N working days whose count crossed a year that was only provisional:
-- how it was computed, so that confirming the year can tell whether it would have moved.
-- A row speaks for the matter only while the matter's deadline is still this one.
CREATE TABLE deadline_bases (
    matter_id BIGINT PRIMARY KEY REFERENCES matters(id),
    start_day TEXT NOT NULL,
    working_days BIGINT NOT NULL,
    deadline TEXT NOT NULL,
    -- The years of the count still provisional, comma-separated; empty once all are confirmed.
    provisional_years TEXT NOT NULL,
    -- What the confirmed calendar gives instead, when that differs from deadline.
    moved_to TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deadline_bases_provisional ON deadline_bases(provisional_years);
CREATE INDEX deadline_bases_moved ON deadline_bases(moved_to);
