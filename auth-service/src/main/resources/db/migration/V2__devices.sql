-- Devices of an account and the Keycloak sessions (sid) bound to them.
create table device (
    account_id    text        not null,
    device_id     text        not null,
    kind          text        not null,
    platform      text        not null,
    display_name  text        not null,
    registered_at timestamptz not null,
    signed_in_at  timestamptz not null,
    last_seen_at  timestamptz not null,
    revoked_at    timestamptz,
    revoke_reason text,
    online        boolean,
    presence_at   timestamptz,
    primary key (account_id, device_id)
);

create table device_session (
    session_id text        primary key,
    account_id text        not null,
    device_id  text        not null,
    created_at timestamptz not null,
    ended_at   timestamptz,
    foreign key (account_id, device_id) references device (account_id, device_id) on delete cascade
);
create index device_session_by_device on device_session (account_id, device_id);

-- jti of accepted back-channel logout tokens, kept until the token could no longer be accepted (replay check).
create table logout_token (
    jti        text        primary key,
    expires_at timestamptz not null
);
