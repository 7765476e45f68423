-- The per-account ordered stream: one row per account with its epoch and head sequence number,
-- and the retained frames. A frame is stored (with its seq) before it is pushed to any socket.
create table account_stream (
    account_id  text        primary key,
    epoch       text        not null,
    head        bigint      not null,
    created_at  timestamptz not null default now()
);

create table stream_frame (
    account_id    text        not null,
    seq           bigint      not null,
    event_id      text        not null,
    type          text        not null,
    delivery      text        not null,
    coalesce_key  text,
    origin_device text,
    revision      bigint,
    event_time    timestamptz not null,
    data          text        not null,
    created_at    timestamptz not null default now(),
    primary key (account_id, seq)
);
-- Kafka delivers at least once: an event id is stored once per account.
create unique index stream_frame_event on stream_frame (account_id, event_id);
create index stream_frame_created on stream_frame (created_at);

-- Each device's acknowledged position in its account's stream.
create table device_cursor (
    account_id  text        not null,
    device_id   text        not null,
    epoch       text        not null,
    acked_seq   bigint      not null,
    last_seen   timestamptz not null default now(),
    primary key (account_id, device_id)
);

-- Live connections of every replica (presence). Rows of a replica that stopped heart-beating are swept.
create table replica (
    replica_id  text        primary key,
    last_seen   timestamptz not null default now()
);

create table device_presence (
    connection_id text        primary key,
    replica_id    text        not null,
    account_id    text        not null,
    device_id     text        not null,
    session_id    text,
    connected_at  timestamptz not null default now()
);
create index device_presence_account on device_presence (account_id, device_id);

-- Chat-style channels.
create table channel (
    channel_id  text        primary key,
    name        text        not null,
    created_by  text        not null,
    head        bigint      not null default 0,
    created_at  timestamptz not null default now()
);

create table channel_member (
    channel_id  text        not null references channel (channel_id),
    account_id  text        not null,
    joined_at   timestamptz not null default now(),
    primary key (channel_id, account_id)
);
create index channel_member_account on channel_member (account_id);

create table channel_message (
    channel_id        text        not null references channel (channel_id),
    seq               bigint      not null,
    client_message_id text        not null,
    sender_account    text        not null,
    sender_device     text,
    body              text        not null,
    created_at        timestamptz not null default now(),
    primary key (channel_id, seq)
);
create unique index channel_message_client_id on channel_message (channel_id, sender_account, client_message_id);
