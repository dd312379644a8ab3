-- Report Builder: one covering index in (ts, seq) order per system, so that
-- counting a filter's rows and finding the first key of a deep page read the
-- index alone (the system, time window, type and user filters are all in it).
CREATE INDEX events_builder ON events (system_id, ts, seq, type_alias, user_id);
