-- recommendation-service: catalog, implicit feedback, device kinds, model versions, device-switch habits, pre-load hints.

create table catalog_item (
    item_id          varchar(100) primary key,
    title            varchar(300) not null,
    kind             varchar(16)  not null check (kind in ('movie', 'episode', 'short', 'music', 'game')),
    duration_minutes integer      not null check (duration_minutes between 1 and 1440),
    genres           text         not null,           -- comma-separated, lower-case
    maturity         varchar(8)   not null check (maturity in ('all', '7+', '13+', '16+', '18+')),
    release_date     date         not null,
    updated_at       timestamptz  not null default now()
);

-- One row per (account, item), aggregated from that pair's events; the model's signal is computed from it
-- (domain.Feedback). No foreign key to catalog_item: events may name content the catalog does not list (yet).
create table interaction (
    account_id  varchar(200) not null,
    item_id     varchar(200) not null,
    max_ratio   real         not null default 0,        -- furthest position / duration seen
    replays     integer      not null default 0,        -- restarts after a completion
    restarted   boolean      not null default false,    -- a replay is in progress (counted once)
    completed   boolean      not null default false,    -- finished: never recommended again
    abandoned   boolean      not null default false,    -- stopped in the first 10 % and never got further
    purchases   integer      not null default 0,
    rating      smallint,                               -- explicit 1..5 when a client sends one
    updated_at  timestamptz  not null,
    primary key (account_id, item_id)
);

-- Device kinds, from continuum.auth.device-registered.v1: the default context of a request.
create table device (
    account_id  varchar(200) not null,
    device_id   varchar(64)  not null,
    kind        varchar(16)  not null,
    primary key (account_id, device_id)
);

-- Every full training that was swapped in; its id is the model version the API reports ("als-<id>").
create table model_version (
    id              bigserial   primary key,
    trained_at      timestamptz not null,
    users           integer     not null,
    items           integer     not null,
    interactions    integer     not null,
    training_ms     bigint      not null
);

-- Device-switch habits: the account's last active device, each switch seen, and the days it was active.
create table device_activity (
    account_id  varchar(200) primary key,
    device_id   varchar(64)  not null,
    at          timestamptz  not null,
    content_id  varchar(200),                           -- last content played (on any device), for the hint
    position_ms bigint
);
create table device_switch (
    account_id   varchar(200) not null,
    from_device  varchar(64)  not null,
    to_device    varchar(64)  not null,
    at           timestamptz  not null
);
create index device_switch_account_at on device_switch (account_id, at);
create table active_day (
    account_id  varchar(200) not null,
    day         date         not null,
    primary key (account_id, day)
);
-- One pre-load hint per (account, target device, predicted switch time): several replicas never send it twice.
create table preload_hint (
    account_id     varchar(200) not null,
    target_device  varchar(64)  not null,
    expected_at    timestamptz  not null,
    hint_id        uuid         not null,
    created_at     timestamptz  not null default now(),
    primary key (account_id, target_device, expected_at)
);
