-- billing-sync-service model (docs/billing.md). Products and plans mirror the declared catalog (billing/catalog.json),
-- written at start-up; everything else is per account.

create table product (
    id    varchar(128) primary key,
    name  varchar(200) not null
);
create table product_entitlement (
    product_id  varchar(128) not null references product (id),
    entitlement varchar(128) not null,
    primary key (product_id, entitlement)
);
create table plan (
    id               varchar(128) primary key,
    product_id       varchar(128) not null references product (id),
    amount_cents     integer      not null,
    currency         varchar(3)   not null,
    billing_interval varchar(16)  not null,
    trial_days       integer      not null default 0
);

-- One row per account that ever touched billing: locked (select … for update) to serialize an account's checkouts.
create table billing_account (
    account_id varchar(200) primary key,
    created_at timestamptz  not null default now()
);

-- Provider customer id <-> account (one per store).
create table customer (
    id                   varchar(300) primary key,      -- <store>:<provider customer id>
    store                varchar(16)  not null,
    provider_customer_id varchar(200) not null,
    account_id           varchar(200) not null,
    created_at           timestamptz  not null default now()
);
create index customer_account on customer (account_id);

create table checkout_session (
    id          varchar(200) primary key,               -- the provider's session id
    store       varchar(16)  not null,
    account_id  varchar(200) not null,
    plan_id     varchar(128) not null references plan (id),
    status      varchar(16)  not null,                  -- open | completed | expired
    url         text         not null,
    created_at  timestamptz  not null,
    expires_at  timestamptz  not null
);
create index checkout_session_open on checkout_session (account_id, plan_id) where status = 'open';

create table subscription (
    id                   uuid         primary key,
    store                varchar(16)  not null,         -- stripe | app_store | play_store
    provider_id          varchar(200) not null,
    account_id           varchar(200) not null,
    product_id           varchar(128) not null references product (id),
    plan_id              varchar(128) not null references plan (id),
    status               varchar(16)  not null,         -- incomplete | trialing | active | past_due | canceled | expired | revoked
    status_reason        varchar(64),
    current_period_start timestamptz,
    current_period_end   timestamptz,
    cancel_at_period_end boolean      not null default false,
    grace_until          timestamptz,
    provider_version     bigint       not null,         -- created time (epoch s) of the newest provider event applied
    created_at           timestamptz  not null default now(),
    updated_at           timestamptz  not null default now(),
    unique (store, provider_id)
);
create index subscription_account on subscription (account_id);
create index subscription_expiring on subscription (status) where status in ('past_due', 'canceled');

-- Derived from the account's subscriptions; one row per (account, entitlement) ever held.
create table entitlement (
    account_id      varchar(200) not null,
    entitlement     varchar(128) not null,
    active          boolean      not null,
    state           varchar(16)  not null,              -- trialing | active | grace | canceled | expired | revoked
    reason          varchar(64)  not null,
    product_id      varchar(128) not null,
    subscription_id uuid,
    valid_from      timestamptz,
    valid_until     timestamptz,
    changed_at      timestamptz  not null,
    primary key (account_id, entitlement)
);

-- Every accepted provider event, stored once (its id is also in processed_event, in the same transaction as its effect).
create table webhook_event (
    store        varchar(16)  not null,
    event_id     varchar(200) not null,
    event_type   varchar(100) not null,
    created      bigint       not null,                 -- the provider's event time (epoch s)
    signature_t  bigint       not null,                 -- t= of the accepted signature: the same t again is a replay
    outcome      varchar(32)  not null,                 -- applied | stale | ignored
    received_at  timestamptz  not null default now(),
    payload      text         not null,
    primary key (store, event_id)
);
