-- A table the test consumers write their effects to.
CREATE TABLE effects (id bigserial PRIMARY KEY, n integer NOT NULL, event_id uuid NOT NULL);
