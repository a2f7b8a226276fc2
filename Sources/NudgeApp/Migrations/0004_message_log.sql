-- The message log: every message the engine decided on, with its latest status and the history
-- that led there. Written by the dispatcher (decisions, sends, failures) and by the feedback
-- endpoints (delivered, opened, clicked, bounced); read by the admin API and reports.
CREATE TABLE messages (
    message_id text PRIMARY KEY,            -- the engine's deterministic id
    customer_id text NOT NULL,
    scenario text NOT NULL,
    scenario_version integer NOT NULL,
    step text NOT NULL,
    instance text NOT NULL,
    channel text NOT NULL,
    template text NOT NULL,
    connector text,                         -- the connector that took it (after any fallback)
    provider_message_id text,               -- the provider's id, for its callbacks
    status text NOT NULL CHECK (status IN (
        'deferred', 'queued', 'sent', 'delivered', 'opened', 'clicked',
        'failed', 'bounced', 'suppressed')),
    reason text,                            -- why it was suppressed, deferred or failed
    created_at timestamptz NOT NULL,        -- when the engine decided
    updated_at timestamptz NOT NULL
);
CREATE INDEX messages_customer ON messages (customer_id, created_at DESC);
CREATE INDEX messages_scenario ON messages (scenario, created_at);
CREATE INDEX messages_provider ON messages (connector, provider_message_id)
    WHERE provider_message_id IS NOT NULL;

-- Each status a message went through, once: `entry_key` makes a replayed write a no-op. No
-- foreign key: provider feedback can arrive before the dispatcher's row; a message's `status` is
-- always recomputed from its history (highest rank wins: deferred < queued < sent < delivered <
-- opened < clicked < failed/bounced/suppressed), so the order of the writes does not matter.
CREATE TABLE message_status_history (
    message_id text NOT NULL,
    customer_id text NOT NULL,
    entry_key text NOT NULL,
    status text NOT NULL,
    reason text,
    connector text,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL,
    PRIMARY KEY (message_id, entry_key)
);
CREATE INDEX message_status_history_status ON message_status_history (status, at);
CREATE INDEX message_status_history_customer ON message_status_history (customer_id);
