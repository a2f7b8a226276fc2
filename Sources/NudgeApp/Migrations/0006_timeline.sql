-- The customer event timeline, written by the timeline recorder from the events and feedback
-- topics (consumer group nudge-timeline), read by the admin API, deleted on erase. One row per
-- event and customer: a replayed record (same messageId) writes nothing.
CREATE TABLE customer_timeline (
    customer_id text NOT NULL,              -- userId, or anonymousId when there is none
    event_id text NOT NULL,                 -- the event's messageId
    anonymous_id text,                      -- lets an erase find the anonymous ids merged into a customer
    kind text NOT NULL CHECK (kind IN ('track', 'identify', 'page', 'screen')),
    name text NOT NULL,                     -- track event name, page or screen name, '' for identify
    source text NOT NULL CHECK (source IN ('events', 'feedback')),
    properties jsonb NOT NULL DEFAULT '{}'::jsonb,
    traits jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL,                -- the event's timestamp
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, event_id)
);
CREATE INDEX customer_timeline_customer_at ON customer_timeline (customer_id, at DESC);
