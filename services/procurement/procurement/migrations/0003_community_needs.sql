-- Community needs (社区需求): raised by a community platform, reviewed by its street: declined,
-- merged into a demand (the link kept here, demand_id), or passed to a claiming edition.
CREATE TABLE community_needs (
    id           uuid PRIMARY KEY,
    street_code  text        NOT NULL,
    community    text        NOT NULL,
    title        text        NOT NULL,
    description  text        NOT NULL,
    residents    integer     NOT NULL CHECK (residents >= 0),
    urgency      text        NOT NULL,
    domain       text        NOT NULL,
    raised_by    text        NOT NULL,
    raised_on    date        NOT NULL,
    status       text        NOT NULL,
    reason       text,
    demand_id    uuid REFERENCES demands (id),
    edition_id   uuid,
    decided_by   text,
    decided_on   date,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX community_needs_street ON community_needs (street_code, community, status);
CREATE INDEX community_needs_demand ON community_needs (demand_id) WHERE demand_id IS NOT NULL;
