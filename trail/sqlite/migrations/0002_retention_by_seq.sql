-- Retention deletes by seq (the order of insertion, which follows time but
-- for requests answered out of their order of arrival), reading the
-- table's rowid order: the index on event_time alone cost every insert one
-- more B-tree insert for a delete that runs once an hour.
DROP INDEX events_by_time;
