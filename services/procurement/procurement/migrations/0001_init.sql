-- Procurement: demands, projects (one JSONB aggregate with projected columns), read models.

CREATE TABLE demands (
    id                     uuid PRIMARY KEY,
    source_system          text          NOT NULL,
    demand_ref             text          NOT NULL,
    purchaser_code         text          NOT NULL,
    purchaser_name         text          NOT NULL,
    purchaser_kind         text          NOT NULL,
    street_code            text,
    title                  text          NOT NULL,
    description            text          NOT NULL DEFAULT '',
    domain                 text          NOT NULL,
    budget_cny             numeric(14,2) NOT NULL,
    expected_beneficiaries integer       NOT NULL,
    wanted_by              date,
    status                 text          NOT NULL,
    fingerprint            text          NOT NULL,
    revision               integer       NOT NULL DEFAULT 1,
    project_id             uuid,
    received_via           text          NOT NULL,
    entered_by             text,
    created_at             timestamptz   NOT NULL DEFAULT now(),
    updated_at             timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (source_system, demand_ref)
);
CREATE INDEX demands_status ON demands (status, street_code);

-- Every refused district message, raw, with its reasons (DESIGN 2.2: never dropped silently).
CREATE TABLE rejected_messages (
    id            bigserial PRIMARY KEY,
    message_id    text UNIQUE,
    routing_key   text        NOT NULL,
    body          bytea       NOT NULL,
    headers       jsonb       NOT NULL,
    errors        jsonb       NOT NULL,
    source_system text,
    demand_ref    text,
    received_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    id                       uuid PRIMARY KEY,
    ocid                     text          NOT NULL UNIQUE,
    stage                    text          NOT NULL,
    title                    text          NOT NULL,
    purchaser_code           text          NOT NULL,
    purchaser_name           text          NOT NULL,
    purchaser_kind           text          NOT NULL,
    street_code              text,
    domain                   text          NOT NULL,
    year                     integer       NOT NULL,
    contract_org_id          uuid,
    contract_amount_cny      numeric(14,2),
    signed_on                date,
    beneficiary_person_times integer,
    doc                      jsonb         NOT NULL,
    version                  integer       NOT NULL DEFAULT 1,
    updated_at               timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX projects_stage ON projects (stage);
CREATE INDEX projects_street ON projects (purchaser_kind, street_code);
CREATE INDEX projects_doc ON projects USING gin (doc jsonb_path_ops);

-- Read model of registry organisations: a snapshot is applied only when its version is newer.
CREATE TABLE orgs (
    org_id      uuid PRIMARY KEY,
    version     integer     NOT NULL,
    name        text        NOT NULL,
    org_type    text        NOT NULL,
    status      text        NOT NULL,
    credit_code text,
    street_code text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Read model of venture grants, to refuse funding the same project twice.
CREATE TABLE venture_grants (
    grant_id      uuid PRIMARY KEY,
    org_id        uuid          NOT NULL,
    title_key     text          NOT NULL,
    project_title text          NOT NULL,
    amount_cny    numeric(14,2) NOT NULL,
    awarded_on    date          NOT NULL
);
CREATE INDEX venture_grants_match ON venture_grants (org_id, title_key);
