-- The people on each population event, so the readiness review can test
-- segregation of duties (the approver is neither the author nor the
-- implementer), and the source's own count of each imported period, so the
-- population the sample is drawn from can be reconciled against it.

-- +goose Up
ALTER TABLE population_events
    ADD COLUMN author      text NOT NULL DEFAULT '',
    ADD COLUMN implementer text NOT NULL DEFAULT '';

CREATE TABLE population_counts (
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id    text        NOT NULL,
    source        text        NOT NULL,
    period_from   timestamptz NOT NULL,
    period_to     timestamptz NOT NULL CHECK (period_to > period_from),
    source_count  integer     NOT NULL CHECK (source_count >= 0),
    counted_at    timestamptz NOT NULL,
    PRIMARY KEY (engagement_id, control_id, source, period_from, period_to)
);

-- +goose Down
DROP TABLE population_counts;
ALTER TABLE population_events DROP COLUMN implementer, DROP COLUMN author;
