-- The demo clock moved to the kit (table demo_clock, shared/clock.py): keep a date already set.
INSERT INTO demo_clock (id, today, set_by) SELECT true, today, 'venture clock (migrated)' FROM clock
ON CONFLICT (id) DO NOTHING;
DROP TABLE clock;
