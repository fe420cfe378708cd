-- The demo clock (shared/clock.py): the date a district admin set in demo mode, at most one row.
CREATE TABLE demo_clock (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    today  date        NOT NULL,
    set_by text        NOT NULL,
    set_at timestamptz NOT NULL DEFAULT now()
);
