-- session-service schema baseline: the platform tables (outbox, processed_event, idempotency_key) come from db/platform.
-- Service tables arrive in later migrations.
select 1;
