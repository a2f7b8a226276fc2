-- A dispatcher that died while handing a message to its provider cannot know whether the
-- provider has it. On recovery the connector's `on_unknown` logs it `held` (not sent again, for an
-- operator to check) or `unknown` (dropped); `resend` sends it again and logs `sent`.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN (
    'deferred', 'queued', 'sent', 'delivered', 'opened', 'clicked',
    'failed', 'bounced', 'suppressed', 'held', 'unknown'));
