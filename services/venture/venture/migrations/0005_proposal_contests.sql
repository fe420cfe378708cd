-- Proposal contests (提案大赛) of a street: proposals, the panel's scores, the audience's votes.
CREATE TABLE contests (
    id                uuid PRIMARY KEY,
    street_code       text        NOT NULL,
    round_id          uuid        NOT NULL REFERENCES rounds (id),
    title             text        NOT NULL,
    voting_opens_at   timestamptz NOT NULL,
    voting_closes_at  timestamptz NOT NULL,
    panelists         text[]      NOT NULL,
    panel_weight      integer     NOT NULL CHECK (panel_weight BETWEEN 0 AND 100),
    winners           integer     NOT NULL CHECK (winners > 0),
    status            text        NOT NULL,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE proposals (
    id              uuid PRIMARY KEY,
    contest_id      uuid          NOT NULL REFERENCES contests (id),
    title           text          NOT NULL,
    summary         text          NOT NULL,
    presenter       text          NOT NULL,
    org_id          uuid          NOT NULL,
    sponsor_org_id  uuid,
    community       text,
    domain          text          NOT NULL,
    requested_cny   numeric(14,2) NOT NULL,
    application_id  uuid,
    created_at      timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX proposals_contest ON proposals (contest_id);

CREATE TABLE panel_scores (
    proposal_id  uuid         NOT NULL REFERENCES proposals (id),
    panelist     text         NOT NULL,
    score        numeric(6,2) NOT NULL,
    PRIMARY KEY (proposal_id, panelist)
);

-- One vote per person per contest: `voter` is 'sub:<account>' or 'phone:<E.164>'.
CREATE TABLE contest_votes (
    contest_id   uuid        NOT NULL REFERENCES contests (id),
    voter        text        NOT NULL,
    proposal_id  uuid        NOT NULL REFERENCES proposals (id),
    voted_at     timestamptz NOT NULL,
    PRIMARY KEY (contest_id, voter)
);
