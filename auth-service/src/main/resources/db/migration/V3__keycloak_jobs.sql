-- The Keycloak side of a revocation, made durable: one row per revocation, inserted in the same transaction as the
-- revocation itself, retried with backoff by KeycloakJobs until Keycloak confirms (then done_at is set and
-- continuum.auth.revocation-confirmed.v1 goes out through the outbox, in one transaction).
create table keycloak_job (
    id              bigserial   primary key,
    account_id      text        not null,
    kind            text        not null,   -- end-sessions | logout-user | end-sessions-except
    session_ids     text        not null,   -- space-separated Keycloak session ids (sid)
    keep_session    text,                   -- end-sessions-except: the caller's session, kept
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null,   -- also the lease of the replica running it now
    last_error      text,
    created_at      timestamptz not null,
    done_at         timestamptz
);
create index keycloak_job_due on keycloak_job (next_attempt_at) where done_at is null;
