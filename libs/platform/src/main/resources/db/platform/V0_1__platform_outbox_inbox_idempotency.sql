-- Shared tables of libs/platform. Every service lists `db/platform` in quarkus.flyway.locations,
-- so these live in each service's own database. Service migrations start at V1.

-- Transactional outbox: written in the same transaction as the state change, drained by OutboxRelay.
create table outbox (
    id           bigserial primary key,
    lane         smallint     not null,           -- hash(account) % lanes: one relay at a time per lane keeps per-account order
    topic        varchar(200) not null,
    message_key  varchar(200) not null,           -- account id: Kafka key
    event_id     uuid         not null,
    event_type   varchar(200) not null,
    payload      text         not null,           -- CloudEvent, JSON structured mode, already validated against its schema
    created_at   timestamptz  not null default now()
);
create index outbox_lane_id on outbox (lane, id);

-- Wake the relay as soon as a transaction that wrote outbox rows commits (NOTIFY is delivered on commit only).
create function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('continuum_outbox', '');
    return null;
end $$;
create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();

-- Idempotent consumers: one row per (consumer, event id), inserted in the consumer's own transaction.
create table processed_event (
    consumer     varchar(200) not null,
    event_id     varchar(200) not null,
    processed_at timestamptz  not null default now(),
    primary key (consumer, event_id)
);

-- Idempotency-Key for mutating REST calls: the first response is replayed for 24 h.
create table idempotency_key (
    account_id    varchar(200) not null,
    idem_key      varchar(200) not null,
    request_hash  varchar(64)  not null,           -- SHA-256 of method, path and body
    status        smallint,                        -- null while the first request is in flight
    content_type  varchar(200),
    body          text,
    created_at    timestamptz  not null default now(),
    primary key (account_id, idem_key)
);
create index idempotency_key_created on idempotency_key (created_at);
