-- Party building in depth (党建): the form of each branch and its life (formed, merged, dissolved)
-- with history; the yearly census of party members per organisation (逐年摸排); members' reports to
-- their residential communities (双报到); branch activities linked to a venture grant, a procurement
-- project or a claiming item (支部+公益+项目), resolved against read models kept from events.
ALTER TABLE party_branches
    ADD COLUMN form        text NOT NULL DEFAULT 'joint' CHECK (form IN ('single', 'joint', 'affiliated', 'dispatched')),
    ADD COLUMN status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'dissolved')),
    ADD COLUMN ended_on    date,
    ADD COLUMN merged_into uuid REFERENCES party_branches (branch_id);

CREATE TABLE party_branch_history (
    id           bigserial PRIMARY KEY,
    branch_id    uuid NOT NULL REFERENCES party_branches (branch_id),
    kind         text NOT NULL CHECK (kind IN ('formed', 'attached', 'merged_away', 'merged_in', 'dissolved')),
    happened_on  date NOT NULL,
    org_ids      uuid[] NOT NULL DEFAULT '{}',
    other_branch uuid REFERENCES party_branches (branch_id),
    reason       text,
    actor        text,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX party_branch_history_branch ON party_branch_history (branch_id, id);
-- Branches formed before this migration get their formation into the history.
INSERT INTO party_branch_history (branch_id, kind, happened_on, org_ids)
SELECT b.branch_id, 'formed', b.formed_on,
       COALESCE((SELECT array_agg(m.org_id ORDER BY m.org_id) FROM party_branch_orgs m WHERE m.branch_id = b.branch_id), '{}')
FROM party_branches b;

-- One row per organisation and year. `branch_form` null: its members are in no branch.
CREATE TABLE party_census (
    org_id      uuid NOT NULL REFERENCES orgs (org_id),
    year        integer NOT NULL,
    street_code text,
    members     integer NOT NULL CHECK (members >= 0),
    branch_form text CHECK (branch_form IN ('single', 'joint', 'affiliated', 'dispatched')),
    branch_id   uuid REFERENCES party_branches (branch_id),
    instructor  text,
    liaison     text,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE INDEX party_census_year ON party_census (year, street_code);

CREATE TABLE party_member_reports (
    report_id   uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (org_id),
    member_name text NOT NULL,
    street_code text NOT NULL,
    community   text NOT NULL,
    reported_on date NOT NULL,
    service     text NOT NULL DEFAULT '',
    recorded_by text NOT NULL
);
CREATE INDEX party_member_reports_street ON party_member_reports (street_code, reported_on);

CREATE TABLE branch_activities (
    activity_id  uuid PRIMARY KEY,
    branch_id    uuid NOT NULL REFERENCES party_branches (branch_id),
    held_on      date NOT NULL,
    title        text NOT NULL,
    participants integer NOT NULL CHECK (participants >= 0),
    link_kind    text CHECK (link_kind IN ('grant', 'procurement_project', 'claiming_item')),
    link_ref     uuid,
    recorded_by  text NOT NULL,
    CHECK ((link_kind IS NULL) = (link_ref IS NULL))
);
CREATE INDEX branch_activities_branch ON branch_activities (branch_id, held_on);

-- Procurement projects as procurement's events tell them (no FK: ids are procurement's). `rank`
-- only grows (0 created, 1 solicitation open, 2 signed or cancelled), so events in any order end
-- in the same row; a project is open for matching while rank = 1.
CREATE TABLE procurement_projects (
    project_id     uuid PRIMARY KEY,
    title          text NOT NULL,
    purchaser_name text NOT NULL,
    street_code    text,
    domain         text NOT NULL,
    budget_cny     numeric(14, 2),
    closes_on      date,
    rank           integer NOT NULL CHECK (rank BETWEEN 0 AND 2),
    org_id         uuid,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX procurement_projects_open ON procurement_projects (domain, street_code) WHERE rank = 1;

-- Claiming items (公益认领) are venture's: kept here once venture publishes them, so an activity's
-- link to one resolves the same way as a grant's (docs/capacity.md).
CREATE TABLE claiming_items (
    item_id  uuid PRIMARY KEY,
    title    text NOT NULL,
    event_id uuid NOT NULL
);
