-- Pages of users are found on the index alone (a deferred join): the index
-- that orders a system's users by email carries their id.
DROP INDEX users_system_email;
CREATE INDEX users_system_email ON users (system_id, email COLLATE "C") INCLUDE (id);
