-- Edit locks: an editor takes the lock of a scenario while changing it, so two editors do not
-- overwrite each other's work. A lock ends when released or when `expires_at` passes (renewed by
-- taking it again); while it holds, deploys through the API by anyone else are refused.
-- No foreign key: a scenario that is not deployed yet can be locked too.
CREATE TABLE scenario_locks (
    scenario_id text PRIMARY KEY,
    holder text NOT NULL,                   -- the API key name, as in the audit log
    acquired_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > acquired_at)
);
