-- Accounts the console has disabled, as this service learned them from the console's events: a
-- token whose subject names one is refused at once, however long it still has to live.
-- `subjects` are what a token's `sub` may say of the account (its id and its login).
CREATE TABLE disabled_accounts (
    account_id uuid        PRIMARY KEY,
    subjects   text[]      NOT NULL,
    version    integer     NOT NULL,
    disabled   boolean     NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
