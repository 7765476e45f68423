-- What each op said (SHA-256 of its canonical JSON), so an op id reused for a different op is refused instead of
-- silently answered with the first op's result. Null for rows written before this migration.
alter table op_log add column fingerprint char(64);
