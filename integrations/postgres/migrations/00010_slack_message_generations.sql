-- Owned Slack messages (an owner's digest, a day's reminder) are delivered
-- without holding a transaction across the Slack call. Each delivery asks
-- for a new generation (wanted); one delivery at a time holds a short row
-- lease (lease_token until lease_until) while it renders and talks to Slack,
-- then records the generation it showed (shown) and drops the lease with a
-- compare-and-set on the token. A delivery whose generation is already shown
-- is done without calling Slack. ts is '' until the message is first posted.

-- +goose Up
ALTER TABLE slack_messages
    ADD COLUMN wanted      bigint      NOT NULL DEFAULT 0,
    ADD COLUMN shown       bigint      NOT NULL DEFAULT 0,
    ADD COLUMN lease_token text        NOT NULL DEFAULT '',
    ADD COLUMN lease_until timestamptz;

-- +goose Down
ALTER TABLE slack_messages
    DROP COLUMN lease_until,
    DROP COLUMN lease_token,
    DROP COLUMN shown,
    DROP COLUMN wanted;
