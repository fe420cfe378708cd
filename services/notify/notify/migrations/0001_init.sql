-- Notify's own tables. The kit's outbox/inbox come from shared/migrations.

-- The recipient directory, learned only from events. kind: org, street, purchaser, demand,
-- district_system; `version` orders registry snapshots so a stale one never wins.
CREATE TABLE directory (
    kind        text        NOT NULL,
    key         text        NOT NULL,
    name        text,
    email       text,
    webhook_url text,
    street_code text,
    status      text,
    domains     text[]      NOT NULL DEFAULT '{}',
    ref         text,
    version     bigint      NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key)
);
CREATE INDEX directory_domains ON directory USING gin (domains) WHERE kind = 'org';

-- Notices whose recipient is not known yet: kept until the directory learns it.
CREATE TABLE pending_notices (
    id           bigserial PRIMARY KEY,
    source_id    uuid        NOT NULL,
    routing_key  text        NOT NULL,
    template     text        NOT NULL,
    payload      jsonb       NOT NULL,
    spec         jsonb       NOT NULL,
    spec_index   integer     NOT NULL,
    wait_kind    text        NOT NULL,
    wait_key     text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    UNIQUE (source_id, spec_index, wait_kind, wait_key)
);
CREATE INDEX pending_waiting ON pending_notices (wait_kind, wait_key) WHERE resolved_at IS NULL;

-- One notice per (source event, recipient, channel), whatever the redeliveries.
CREATE TABLE notices (
    id             uuid        PRIMARY KEY,
    source_id      uuid        NOT NULL,
    routing_key    text        NOT NULL,
    recipient_kind text        NOT NULL,
    recipient_key  text        NOT NULL,
    scope_street   text,
    channel        text        NOT NULL,
    subject        text        NOT NULL,
    body           text        NOT NULL,
    status         text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    read_at        timestamptz,
    UNIQUE (source_id, recipient_kind, recipient_key, channel)
);
CREATE INDEX notices_inbox ON notices (recipient_kind, recipient_key, created_at DESC) WHERE channel = 'inbox';

-- The work of sending a notice by e-mail or webhook, done by the worker, and its log.
-- status: due, sent, failed (parked after the last attempt; an operator may retry it).
CREATE TABLE deliveries (
    id              bigserial PRIMARY KEY,
    notice_id       uuid        NOT NULL UNIQUE REFERENCES notices (id),
    channel         text        NOT NULL,
    address         text        NOT NULL,
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'due',
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at NULLS FIRST) WHERE status = 'due';

-- Deadline reminders: due rows the worker fires; cancelled when the thing was done.
CREATE TABLE reminders (
    id            uuid        PRIMARY KEY,
    source_id     uuid        NOT NULL,
    routing_key   text        NOT NULL,
    name          text        NOT NULL,
    thing_key     text        NOT NULL,
    deadline      date        NOT NULL,
    workdays_before integer   NOT NULL,
    remind_on     date        NOT NULL,
    fire_at       timestamptz NOT NULL,
    payload       jsonb       NOT NULL,
    recipients    jsonb       NOT NULL,
    status        text        NOT NULL DEFAULT 'scheduled',
    fired_at      timestamptz,
    UNIQUE (source_id, name, workdays_before)
);
CREATE INDEX reminders_due ON reminders (fire_at) WHERE status = 'scheduled';
CREATE INDEX reminders_thing ON reminders (name, thing_key);

-- "The thing was done": remembered even when it arrives before the deadline's event.
CREATE TABLE reminder_cancellations (
    name        text        NOT NULL,
    thing_key   text        NOT NULL,
    source_id   uuid        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, thing_key)
);

-- The public announcement feed (公示).
CREATE TABLE feed_items (
    id                 uuid        PRIMARY KEY,
    source_id          uuid        NOT NULL UNIQUE,
    routing_key        text        NOT NULL,
    kind               text        NOT NULL,
    title              text        NOT NULL,
    body               text        NOT NULL,
    street_code        text,
    published_on       date        NOT NULL,
    starts_on          date,
    ends_on            date,
    objection_deadline date,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feed_current ON feed_items (published_on DESC);
