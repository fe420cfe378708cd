-- The console's accounts, their one-time links, sign-in sessions, recovery codes, the audit of
-- account changes and sign-ins, failures counted for rate limits, and the service clients of the
-- client-credentials grant. No secret is stored in the clear: links, sessions, recovery codes
-- and client secrets as hashes; TOTP secrets as the authenticator needs them (column-level).

CREATE TABLE accounts (
    account_id      uuid PRIMARY KEY,
    version         integer NOT NULL DEFAULT 1,
    login           text NOT NULL,
    display_name    text NOT NULL,
    email           text,
    phone           text,
    roles           jsonb NOT NULL DEFAULT '[]',
    status          text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash   text,
    totp_secret     text,
    totp_enabled    boolean NOT NULL DEFAULT false,
    totp_last_step  bigint,
    failed_signins  integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    org_id          uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX accounts_login ON accounts (lower(login));
-- An organisation's contact is invited once, whichever of its events arrives first.
CREATE UNIQUE INDEX accounts_contact_of_org ON accounts (org_id) WHERE org_id IS NOT NULL;

CREATE TABLE one_time_links (
    secret_hash     bytea PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts,
    purpose         text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    created_at      timestamptz NOT NULL
);
CREATE INDEX one_time_links_account ON one_time_links (account_id);

CREATE TABLE sessions (
    session_hash    bytea PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts,
    -- password: the password was right, a second factor is still due; enrol: TOTP must be set
    -- up first (a district admin without one); full: signed in.
    stage           text NOT NULL CHECK (stage IN ('password', 'enrol', 'full')),
    acting_role     integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    ip              text
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE recovery_codes (
    account_id      uuid NOT NULL REFERENCES accounts,
    code_hash       bytea NOT NULL,
    used_at         timestamptz,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE audit (
    audit_id        bigserial PRIMARY KEY,
    at              timestamptz NOT NULL,
    actor           text NOT NULL,
    action          text NOT NULL,
    account_id      uuid,
    detail          jsonb NOT NULL DEFAULT '{}',
    ip              text
);
CREATE INDEX audit_account ON audit (account_id, at);

CREATE TABLE signin_failures (
    ip              text NOT NULL,
    at              timestamptz NOT NULL
);
CREATE INDEX signin_failures_ip ON signin_failures (ip, at);

CREATE TABLE service_clients (
    client_id       text PRIMARY KEY,
    secret_hash     text NOT NULL,
    display_name    text NOT NULL,
    grant_json      jsonb NOT NULL,
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);
