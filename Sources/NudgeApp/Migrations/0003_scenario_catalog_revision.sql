-- One number that changes with every deploy or status change of any scenario: running engines
-- poll it and reload their catalog when it moves.
CREATE TABLE scenario_catalog_revision (
    id integer PRIMARY KEY CHECK (id = 1),
    revision bigint NOT NULL
);
INSERT INTO scenario_catalog_revision (id, revision) VALUES (1, 0);
