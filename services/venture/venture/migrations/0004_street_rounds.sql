-- Street micro-venture rounds (社区微创投): a round is the district's or one street's; numbers
-- count per owner (the district's 第3届 and 崇外街道's 第3届 are different rounds).
ALTER TABLE rounds ADD COLUMN level text NOT NULL DEFAULT 'district';
ALTER TABLE rounds ADD COLUMN street_code text;
ALTER TABLE rounds DROP CONSTRAINT rounds_number_key;
CREATE UNIQUE INDEX rounds_owner_number ON rounds (coalesce(street_code, ''), number);
