-- Account state and the sync protocol (issue 4). Every table is keyed by account_id (the token's sub):
-- every query filters on it, so no account can reach another's rows.

-- One row per account: the revision counter. Every writer locks this row first (insert .. on conflict do
-- update .. returning), so the ops of one account are applied one batch at a time and revisions have no gap,
-- with any number of replicas.
create table account_state (
    account_id    varchar(200) primary key,
    revision      bigint       not null default 0,
    history_floor bigint       not null default 0,   -- changes with revision <= floor were pruned: older cursors must reload the snapshot
    updated_at    timestamptz  not null default now()
);

-- Every op the account sent, applied or rejected, by op id: the first answer is final (replays get it back).
-- Applied ops carry their revision: the rows with a revision are the changes feed.
create table op_log (
    account_id  varchar(200) not null,
    op_id       varchar(128) not null,
    revision    bigint,                   -- null: rejected (no revision consumed)
    kind        varchar(64)  not null,
    item_key    varchar(256),
    device_id   varchar(64)  not null,
    value       jsonb,                    -- the new value of (kind, key) after the change
    result      jsonb        not null,    -- the answer given for this op
    at          timestamptz  not null default now(),
    primary key (account_id, op_id)
);
create unique index op_log_changes on op_log (account_id, revision) where revision is not null;
create index op_log_at on op_log (at);

-- Playback: one resume point per content item; the last accepted action wins.
create table playback (
    account_id  varchar(200) not null,
    content_id  varchar(128) not null,
    position_ms bigint       not null check (position_ms >= 0),
    duration_ms bigint       not null check (duration_ms >= 0),
    state       varchar(16)  not null check (state in ('playing', 'paused', 'stopped')),
    finished    boolean      not null,
    device_id   varchar(64)  not null,
    revision    bigint       not null,
    updated_at  timestamptz  not null default now(),
    primary key (account_id, content_id)
);
-- "continue watching": unfinished items by last action
create index playback_continue on playback (account_id, revision desc) where not finished;

-- Game economy: server-authoritative balances that never go below zero.
create table wallet (
    account_id varchar(200) not null,
    currency   varchar(128) not null,
    balance    bigint       not null check (balance >= 0),
    revision   bigint       not null,
    primary key (account_id, currency)
);
create table inventory (
    account_id varchar(200) not null,
    item_id    varchar(128) not null,
    quantity   bigint       not null check (quantity >= 0),
    revision   bigint       not null,
    primary key (account_id, item_id)
);
create table achievement (
    account_id     varchar(200) not null,
    achievement_id varchar(128) not null,
    device_id      varchar(64)  not null,
    revision       bigint       not null,
    unlocked_at    timestamptz  not null default now(),
    primary key (account_id, achievement_id)
);
create table world_position (
    account_id varchar(200) primary key,
    value      jsonb        not null,
    device_id  varchar(64)  not null,
    revision   bigint       not null
);
-- Every game change, kept for good (op_log is pruned): who, which op, why, and the result.
create table game_ledger (
    id          bigserial    primary key,
    account_id  varchar(200) not null,
    revision    bigint       not null,
    op_id       varchar(128) not null,
    device_id   varchar(64)  not null,
    entry       varchar(32)  not null,   -- credit, debit, grant, consume, unlock, move
    item_key    varchar(128) not null,   -- currency, item id, achievement id, zone
    delta       bigint       not null,
    after_value bigint       not null,
    reason      varchar(200),
    at          timestamptz  not null default now()
);
create index game_ledger_account on game_ledger (account_id, id desc);

-- Profile and preferences: versioned documents (optimistic concurrency).
create table document (
    account_id varchar(200) not null,
    doc        varchar(32)  not null check (doc in ('profile', 'preferences')),
    version    bigint       not null,
    body       jsonb        not null,
    device_id  varchar(64)  not null,
    revision   bigint       not null,
    primary key (account_id, doc)
);

-- Chat read markers: the highest read message sequence per channel; only moves forward.
create table read_marker (
    account_id varchar(200) not null,
    channel    varchar(128) not null,
    seq        bigint       not null check (seq >= 0),
    revision   bigint       not null,
    primary key (account_id, channel)
);
