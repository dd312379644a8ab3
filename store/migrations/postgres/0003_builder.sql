-- Report Builder: one covering index in (ts, seq) order per system, so that
-- counting a filter's rows and finding the first key of a deep page can be
-- index-only scans (the system, time window, type and user filters are all in it).
CREATE INDEX events_builder ON events (system_id, ts, seq) INCLUDE (type_alias, user_id);
