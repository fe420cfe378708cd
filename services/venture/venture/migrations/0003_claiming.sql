-- Public-welfare claiming (公益认领): editions, items (微心愿 / micro-projects) and claims.

CREATE TABLE claim_editions (
    id                uuid PRIMARY KEY,
    number            integer     NOT NULL,
    title             text        NOT NULL,
    street_code       text        NOT NULL,
    community         text        NOT NULL,
    organiser_org_id  uuid,
    organiser_name    text        NOT NULL,
    opens_on          date        NOT NULL,
    closes_on         date        NOT NULL,
    status            text        NOT NULL,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (street_code, community, number)
);

CREATE TABLE claim_items (
    id                      uuid PRIMARY KEY,
    edition_id              uuid        NOT NULL REFERENCES claim_editions (id),
    title                   text        NOT NULL,
    need                    text        NOT NULL,
    category                text        NOT NULL,
    community               text        NOT NULL,
    beneficiaries_expected  integer     NOT NULL,
    needs                   text[]      NOT NULL,
    shares                  integer     NOT NULL CHECK (shares > 0),
    status                  text        NOT NULL,
    held_shares             integer     NOT NULL DEFAULT 0 CHECK (held_shares >= 0),
    confirmed_shares        integer     NOT NULL DEFAULT 0 CHECK (confirmed_shares >= 0),
    delivered               text,
    person_times            integer     NOT NULL DEFAULT 0,
    report_ref              text,
    completed_on            date,
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_items_edition ON claim_items (edition_id);

CREATE TABLE claims (
    id              uuid PRIMARY KEY,
    item_id         uuid        NOT NULL REFERENCES claim_items (id),
    edition_id      uuid        NOT NULL REFERENCES claim_editions (id),
    kind            text        NOT NULL,
    claimer_name    text        NOT NULL,
    claimer_org_id  uuid,
    phone           text,
    shares          integer     NOT NULL CHECK (shares > 0),
    note            text        NOT NULL,
    status          text        NOT NULL,
    reason          text,
    claimed_on      date        NOT NULL,
    decided_on      date,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claims_item ON claims (item_id);
CREATE INDEX claims_phone ON claims (phone, claimed_on) WHERE phone IS NOT NULL;
