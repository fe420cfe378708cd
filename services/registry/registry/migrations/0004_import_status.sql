-- An import that fails part-way (after earlier batches committed) is recorded too, with why.
ALTER TABLE imports
    ADD COLUMN status text NOT NULL DEFAULT 'completed' CHECK (status IN ('completed', 'failed')),
    ADD COLUMN failure text;
