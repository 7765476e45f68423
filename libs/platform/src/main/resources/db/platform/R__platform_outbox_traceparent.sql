-- W3C traceparent of the request that wrote an outbox row (null while tracing is off): the relay continues that
-- trace when it publishes the row (Kafka header `traceparent`). Repeatable and idempotent, so it applies after every
-- service's own versioned migrations, whatever their numbers, on new and on existing databases alike.
alter table outbox add column if not exists traceparent varchar(55);
