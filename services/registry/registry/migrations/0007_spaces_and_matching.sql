-- Free space and resource matching (场地 / 资源对接): rooms at the district and street platforms
-- with opening hours on working days, bookings with approval (conflicts refused by the database
-- too), office allocations for incubated organisations (出壳 when they end), organisations'
-- service offers (服务清单), matchmaking fairs (对接洽谈会) with participants, matches, agreements.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE spaces (
    space_id      uuid PRIMARY KEY,
    platform_code text NOT NULL REFERENCES platforms (code),
    street_code   text,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('office', 'activity', 'meeting')),
    capacity      integer NOT NULL CHECK (capacity > 0),
    equipment     text[] NOT NULL DEFAULT '{}',
    opens_at      time NOT NULL,
    closes_at     time NOT NULL CHECK (closes_at > opens_at),
    created_by    text NOT NULL,
    UNIQUE (platform_code, name)
);

CREATE TABLE space_bookings (
    booking_id   uuid PRIMARY KEY,
    space_id     uuid NOT NULL REFERENCES spaces (space_id),
    org_id       uuid NOT NULL REFERENCES orgs (org_id),
    booked_on    date NOT NULL,
    starts_at    time NOT NULL,
    ends_at      time NOT NULL CHECK (ends_at > starts_at),
    purpose      text NOT NULL,
    attendees    integer NOT NULL CHECK (attendees > 0),
    status       text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'cancelled', 'no_show')),
    requested_by text NOT NULL,
    decided_by   text,
    reason       text,
    -- Two live bookings of a room never overlap, whatever the application checked before.
    EXCLUDE USING gist (space_id WITH =, tsrange(booked_on + starts_at, booked_on + ends_at) WITH &&)
        WHERE (status IN ('requested', 'approved'))
);
CREATE INDEX space_bookings_org ON space_bookings (org_id, booked_on);

CREATE TABLE office_allocations (
    allocation_id uuid PRIMARY KEY,
    space_id      uuid NOT NULL REFERENCES spaces (space_id),
    org_id        uuid NOT NULL REFERENCES orgs (org_id),
    starts_on     date NOT NULL,
    ends_on       date NOT NULL CHECK (ends_on > starts_on),
    ended_on      date,
    end_reason    text,
    EXCLUDE USING gist (space_id WITH =, daterange(starts_on, COALESCE(ended_on, ends_on)) WITH &&)
);

CREATE TABLE service_offers (
    offer_id     uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (org_id),
    title        text NOT NULL,
    domain       text NOT NULL,
    street_codes text[] NOT NULL DEFAULT '{}',  -- empty: the whole district
    audience     text NOT NULL,
    price_cny    numeric(14, 2),                 -- null: free of charge
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_offers_domain ON service_offers (domain);

CREATE TABLE fairs (
    fair_id       uuid PRIMARY KEY,
    name          text NOT NULL,
    held_on       date NOT NULL,
    platform_code text NOT NULL REFERENCES platforms (code),
    theme         text NOT NULL
);
CREATE TABLE fair_participants (
    fair_id uuid NOT NULL REFERENCES fairs (fair_id),
    seq     integer NOT NULL,
    role    text NOT NULL CHECK (role IN ('supplier', 'demander')),
    org_id  uuid REFERENCES orgs (org_id),
    name    text NOT NULL,
    PRIMARY KEY (fair_id, seq)
);
CREATE TABLE fair_matches (
    match_id   uuid PRIMARY KEY,
    fair_id    uuid NOT NULL REFERENCES fairs (fair_id),
    offer_id   uuid NOT NULL REFERENCES service_offers (offer_id),
    demander   text NOT NULL,
    project_id uuid,
    agreed_on  date,
    amount_cny numeric(14, 2),
    UNIQUE (fair_id, offer_id, demander)
);
