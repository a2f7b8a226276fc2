-- API keys for the admin and management API. Only the SHA-256 of a secret is stored; the secret
-- is shown once, when the key is created. Keys are revoked, never deleted, so the audit log's
-- actors stay explainable.
CREATE TABLE api_keys (
    id bigserial PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    role text NOT NULL CHECK (role IN ('viewer', 'editor', 'publisher', 'admin')),
    key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    key_prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Names identify keys in the audit log: unique among keys still in use.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
