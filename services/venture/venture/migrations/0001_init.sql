-- Venture philanthropy: read model of organisations, rounds, applications, review, grants.

-- Local read model of registry organisations: only a newer snapshot version replaces a row.
CREATE TABLE orgs (
    org_id          uuid PRIMARY KEY,
    version         integer     NOT NULL,
    name            text        NOT NULL,
    org_type        text        NOT NULL,
    status          text        NOT NULL,
    credit_code     text,
    street_code     text,
    community       text,
    sponsor_org_id  uuid,
    is_support_org  boolean     NOT NULL DEFAULT false,
    registered_on   date,
    filed_on        date,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A registry graduation (filed → registered), kept even before venture knows the org.
CREATE TABLE graduations (
    org_id        uuid PRIMARY KEY,
    registered_on date,
    filed_on      date,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);

-- Projects already funded, by anyone: the no-double-funding check reads this.
CREATE TABLE funded_projects (
    source     text NOT NULL,          -- 'procurement' | 'venture'
    source_id  uuid NOT NULL,
    org_id     uuid NOT NULL,
    title      text NOT NULL,
    title_key  text NOT NULL,
    funded_on  date,
    PRIMARY KEY (source, source_id)
);
CREATE INDEX funded_projects_key ON funded_projects (org_id, title_key);

CREATE TABLE rounds (
    id                        uuid PRIMARY KEY,
    number                    integer     NOT NULL UNIQUE,
    year                      integer     NOT NULL,
    title                     text        NOT NULL,
    priority_domains          text[]      NOT NULL,
    focus                     text,
    total_budget_cny          numeric(14,2) NOT NULL,
    grant_cap_cny             numeric(14,2) NOT NULL,
    call_opens_on             date        NOT NULL,
    call_closes_on            date        NOT NULL,
    rubric                    jsonb       NOT NULL,
    notice_workdays           integer     NOT NULL,
    mentor_org_ids            uuid[]      NOT NULL,
    max_applications_per_org  integer     NOT NULL,
    tranche_percents          integer[]   NOT NULL,
    report_interval_days      integer     NOT NULL,
    pass_score                numeric(6,2) NOT NULL,
    blind_review              boolean     NOT NULL,
    status                    text        NOT NULL,
    notice_starts_on          date,
    notice_ends_on            date,
    awarded_on                date,
    created_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE applications (
    id               uuid PRIMARY KEY,
    round_id         uuid        NOT NULL REFERENCES rounds (id),
    org_id           uuid        NOT NULL,
    org_name         text        NOT NULL,
    org_type         text        NOT NULL,
    sponsor_org_id   uuid,
    submitted_by     text        NOT NULL,
    title            text        NOT NULL,
    title_key        text        NOT NULL,
    street_code      text        NOT NULL,
    community        text,
    domain           text        NOT NULL,
    requested_cny    numeric(14,2) NOT NULL,
    plan             text        NOT NULL,
    milestones       jsonb       NOT NULL,
    status           text        NOT NULL,
    screening_reason text,
    score            numeric(6,2),
    rank             integer,
    award_cny        numeric(14,2),
    decision_reason  text,
    submitted_on     date        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (round_id, org_id, title_key)
);
CREATE INDEX applications_round ON applications (round_id);
CREATE INDEX applications_org ON applications (org_id);

CREATE TABLE assignments (
    round_id       uuid    NOT NULL REFERENCES rounds (id),
    application_id uuid    NOT NULL REFERENCES applications (id),
    reviewer       text    NOT NULL,
    conflicted     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (application_id, reviewer)
);
CREATE INDEX assignments_reviewer ON assignments (reviewer, round_id);

CREATE TABLE declarations (
    round_id           uuid   NOT NULL REFERENCES rounds (id),
    reviewer           text   NOT NULL,
    conflicted_org_ids uuid[] NOT NULL,
    statement          text   NOT NULL,
    declared_on        date   NOT NULL,
    PRIMARY KEY (round_id, reviewer)
);

CREATE TABLE scores (
    application_id uuid        NOT NULL REFERENCES applications (id),
    reviewer       text        NOT NULL,
    criteria       jsonb       NOT NULL,
    total          numeric(6,2) NOT NULL,
    comment        text        NOT NULL,
    scored_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, reviewer)
);

CREATE TABLE objections (
    id              uuid PRIMARY KEY,
    round_id        uuid NOT NULL REFERENCES rounds (id),
    application_id  uuid NOT NULL REFERENCES applications (id),
    filed_by        text NOT NULL,
    filed_by_org_id uuid,
    reason          text NOT NULL,
    status          text NOT NULL,
    resolution      text,
    filed_on        date NOT NULL,
    resolved_on     date
);

CREATE TABLE grants (
    id              uuid PRIMARY KEY,
    application_id  uuid NOT NULL UNIQUE REFERENCES applications (id),
    round_id        uuid NOT NULL REFERENCES rounds (id),
    org_id          uuid NOT NULL,
    org_name        text NOT NULL,
    applied_as      text NOT NULL,   -- 'registered' | 'community'
    sponsor_org_id  uuid,
    mentor_org_id   uuid,
    title           text NOT NULL,
    street_code     text NOT NULL,
    domain          text NOT NULL,
    amount_cny      numeric(14,2) NOT NULL,
    status          text NOT NULL,   -- active | withheld | terminated | completed
    awarded_on      date NOT NULL,
    recovered_cny   numeric(14,2) NOT NULL DEFAULT 0,
    completed_on    date,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grants_org ON grants (org_id);

CREATE TABLE tranches (
    grant_id       uuid    NOT NULL REFERENCES grants (id),
    number         integer NOT NULL,
    percent        integer NOT NULL,
    amount_cny     numeric(14,2) NOT NULL,
    status         text    NOT NULL,  -- planned | disbursed | cancelled
    disbursed_on   date,
    report_due_on  date,
    PRIMARY KEY (grant_id, number)
);

CREATE TABLE reports (
    id             uuid PRIMARY KEY,
    grant_id       uuid    NOT NULL REFERENCES grants (id),
    tranche_number integer NOT NULL,
    summary        text    NOT NULL,
    status         text    NOT NULL,  -- submitted | accepted | rejected
    submitted_by   text    NOT NULL,
    submitted_on   date    NOT NULL,
    decided_on     date,
    note           text
);
CREATE INDEX reports_grant ON reports (grant_id, tranche_number);

CREATE TABLE evaluations (
    id          uuid PRIMARY KEY,
    grant_id    uuid NOT NULL REFERENCES grants (id),
    kind        text NOT NULL,   -- midterm | final
    result      text NOT NULL,   -- pass | fail | severe
    note        text NOT NULL,
    recorded_by text NOT NULL,
    recorded_on date NOT NULL
);

CREATE TABLE followups (
    grant_id    uuid PRIMARY KEY REFERENCES grants (id),
    street_code text NOT NULL,
    pledge      text NOT NULL,
    pledged_by  text NOT NULL,
    pledged_on  date NOT NULL
);

-- One incubatee_graduated per organisation.
CREATE TABLE incubatee_graduations (
    org_id      uuid PRIMARY KEY,
    recorded_on date NOT NULL
);

-- The controllable clock of development/demo mode: a fixed "today" when set.
CREATE TABLE clock (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    today date NOT NULL
);
