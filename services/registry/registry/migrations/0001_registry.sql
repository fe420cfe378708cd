-- The registry's own tables: platforms, organisations and their history, party branches,
-- the support alliance, support history from other contexts, imports.
CREATE TABLE platforms (
    code           text PRIMARY KEY,
    level          text NOT NULL CHECK (level IN ('district', 'street', 'community')),
    name           text NOT NULL,
    street_code    text,
    parent_code    text REFERENCES platforms (code),
    established_at timestamptz NOT NULL DEFAULT now(),
    established_by text
);

CREATE TABLE orgs (
    org_id          uuid PRIMARY KEY,
    version         integer NOT NULL CHECK (version >= 1),
    name            text NOT NULL,
    org_type        text NOT NULL,
    status          text NOT NULL,
    credit_code     text UNIQUE,
    street_code     text,
    community       text,
    platform_code   text REFERENCES platforms (code),
    sponsor_org_id  uuid REFERENCES orgs (org_id),
    domains         text[] NOT NULL DEFAULT '{}',
    is_support_org  boolean NOT NULL DEFAULT false,
    contact         jsonb NOT NULL DEFAULT '{}',
    registered_on   date,
    filed_on        date,
    deregistered_on date,
    status_reason   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (credit_code IS NOT NULL OR org_type = 'community_org')
);
CREATE INDEX orgs_type_status ON orgs (org_type, status);
CREATE INDEX orgs_street ON orgs (street_code);
CREATE INDEX orgs_domains ON orgs USING gin (domains);

-- One row per version: what changed, when, by whom; a filing's history stays with the org
-- after graduation because the org keeps its id.
CREATE TABLE org_history (
    org_id      uuid NOT NULL REFERENCES orgs (org_id),
    version     integer NOT NULL,
    kind        text NOT NULL,
    event_id    uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor       text,
    detail      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, version)
);

-- The audit trail of checksum overrides for legal pilot-era codes.
CREATE TABLE credit_code_overrides (
    org_id      uuid NOT NULL REFERENCES orgs (org_id),
    credit_code text NOT NULL,
    failure     text NOT NULL,
    approved_by text NOT NULL,
    reason      text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, credit_code)
);

CREATE TABLE party_branches (
    branch_id   uuid PRIMARY KEY,
    name        text NOT NULL,
    formed_on   date NOT NULL,
    street_code text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE party_branch_orgs (
    org_id      uuid PRIMARY KEY REFERENCES orgs (org_id),
    branch_id   uuid NOT NULL REFERENCES party_branches (branch_id),
    attached_on date NOT NULL
);

CREATE TABLE alliance_members (
    org_id    uuid PRIMARY KEY REFERENCES orgs (org_id),
    category  text NOT NULL,
    joined_on date NOT NULL
);

-- Support history, from venture and procurement events (no FK: an org id is what they say).
CREATE TABLE support_grants (
    grant_id       uuid PRIMARY KEY,
    org_id         uuid NOT NULL,
    sponsor_org_id uuid,
    round_year     integer NOT NULL,
    round_number   integer NOT NULL,
    project_title  text NOT NULL,
    amount_cny     numeric(14, 2) NOT NULL,
    awarded_on     date NOT NULL,
    domain         text NOT NULL,
    event_id       uuid NOT NULL
);
CREATE INDEX support_grants_org ON support_grants (org_id);
CREATE TABLE support_contracts (
    contract_id    uuid PRIMARY KEY,
    project_id     uuid NOT NULL,
    org_id         uuid NOT NULL,
    title          text NOT NULL,
    purchaser_name text NOT NULL,
    amount_cny     numeric(14, 2) NOT NULL,
    signed_on      date NOT NULL,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    event_id       uuid NOT NULL
);
CREATE INDEX support_contracts_org ON support_contracts (org_id);

CREATE TABLE imports (
    import_id   uuid PRIMARY KEY,
    filename    text,
    actor       text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    total_rows  integer NOT NULL DEFAULT 0,
    imported    integer NOT NULL DEFAULT 0,
    rejected    jsonb NOT NULL DEFAULT '[]'
);
