-- Talent cultivation (人才培养): programmes taught by a commissioned agency, their sessions, the
-- people enrolled (minimal personal data, served to staff only), attendance and certificates;
-- workshop cohorts with one-to-one coaching, and brand projects the centre recognised.
CREATE TABLE talent_programmes (
    programme_id      uuid PRIMARY KEY,
    name              text NOT NULL,
    year              integer NOT NULL,
    level             text NOT NULL CHECK (level IN ('district', 'street', 'community')),
    street_code       text,
    theme             text NOT NULL,
    agency_org_id     uuid NOT NULL REFERENCES orgs (org_id),
    required_sessions integer NOT NULL CHECK (required_sessions >= 0),
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((level = 'district') = (street_code IS NULL))
);

CREATE TABLE talent_sessions (
    session_id   uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES talent_programmes (programme_id),
    held_on      date NOT NULL,
    place        text NOT NULL,
    topic        text NOT NULL,
    trainer      text NOT NULL,
    hours        numeric(4, 1) NOT NULL CHECK (hours > 0)
);
CREATE INDEX talent_sessions_programme ON talent_sessions (programme_id);

-- A person: a name, the role they hold, the organisation they serve (if any), a phone at most.
CREATE TABLE talent_people (
    person_id   uuid PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('org_leader', 'social_worker', 'community_cadre')),
    org_id      uuid REFERENCES orgs (org_id),
    street_code text,
    phone       text
);

CREATE TABLE talent_enrolments (
    programme_id uuid NOT NULL REFERENCES talent_programmes (programme_id),
    person_id    uuid NOT NULL REFERENCES talent_people (person_id),
    enrolled_on  date NOT NULL,
    PRIMARY KEY (programme_id, person_id)
);

CREATE TABLE talent_attendance (
    session_id uuid NOT NULL REFERENCES talent_sessions (session_id),
    person_id  uuid NOT NULL REFERENCES talent_people (person_id),
    PRIMARY KEY (session_id, person_id)
);

CREATE TABLE talent_certificates (
    code         text PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES talent_programmes (programme_id),
    person_id    uuid NOT NULL REFERENCES talent_people (person_id),
    issued_on    date NOT NULL,
    hours        numeric(6, 1) NOT NULL,
    UNIQUE (programme_id, person_id)
);

CREATE TABLE workshop_cohorts (
    cohort_id uuid PRIMARY KEY,
    name      text NOT NULL,
    year      integer NOT NULL,
    starts_on date NOT NULL
);
CREATE TABLE workshop_cohort_orgs (
    cohort_id uuid NOT NULL REFERENCES workshop_cohorts (cohort_id),
    org_id    uuid NOT NULL REFERENCES orgs (org_id),
    PRIMARY KEY (cohort_id, org_id)
);

-- Notes are read by staff and by the coached organisation only.
CREATE TABLE coaching_sessions (
    coaching_id  uuid PRIMARY KEY,
    cohort_id    uuid NOT NULL REFERENCES workshop_cohorts (cohort_id),
    org_id       uuid NOT NULL REFERENCES orgs (org_id),
    coach_org_id uuid NOT NULL REFERENCES orgs (org_id),
    held_on      date NOT NULL,
    topic        text NOT NULL,
    notes        text NOT NULL DEFAULT '',
    hours        numeric(4, 1) NOT NULL CHECK (hours > 0)
);
CREATE INDEX coaching_sessions_org ON coaching_sessions (org_id);

CREATE TABLE brand_projects (
    brand_id      uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (org_id),
    title         text NOT NULL,
    recognised_on date NOT NULL,
    cohort_id     uuid REFERENCES workshop_cohorts (cohort_id),
    UNIQUE (org_id, title)
);
