-- Deployed scenario versions. Running instances keep the version they started with, so every
-- version stays readable; a deploy adds a row, never rewrites one.
CREATE TABLE scenario_versions (
    scenario_id text NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    source_yaml text NOT NULL,
    checksum text NOT NULL,
    deployed_at timestamptz NOT NULL DEFAULT now(),
    deployed_by text NOT NULL,
    PRIMARY KEY (scenario_id, version)
);

-- The lifecycle of a scenario as a whole: which version new instances start on, and whether it
-- accepts new entries.
CREATE TABLE scenarios (
    scenario_id text PRIMARY KEY,
    active_version integer NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (scenario_id, active_version) REFERENCES scenario_versions (scenario_id, version)
);

-- Who did what, for every administrative action.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
