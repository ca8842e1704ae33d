-- The population of each per-event control (change approvals, joiners,
-- incidents): one row per event, imported from Jira or recorded by hand. The
-- readiness review samples these rows the way the auditor samples the
-- deployment log.
--
-- A re-import of the same Jira key or a re-run of the same record command
-- adds nothing (the unique key). It may fill in what was missing when the
-- row was first written — the approval of a change imported before it was
-- approved, or an evidence reference — but never rewrites what is there: the
-- population is evidence, so a ticket edited in Jira after the fact does not
-- silently change what was recorded, and the first recorded approval stands.
-- The trigger enforces that for every writer, not only the store.

-- +goose Up
CREATE TABLE population_events (
    id            bigserial   PRIMARY KEY,
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id    text        NOT NULL,
    event_key     text        NOT NULL, -- the Jira issue key, or the reference the recorder gave
    occurred_at   timestamptz NOT NULL,
    source        text        NOT NULL CHECK (source IN ('jira', 'recorded')),
    summary       text        NOT NULL DEFAULT '',
    approved_by   text,
    approved_at   timestamptz,
    evidence_ref  text        NOT NULL DEFAULT '', -- where the auditor finds the record (URL or key)
    recorded_by   text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (engagement_id, control_id, event_key),
    -- An approval is who and when; one without the other cannot be tested.
    CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);
CREATE INDEX population_events_by_time ON population_events (engagement_id, control_id, occurred_at);

-- +goose StatementBegin
CREATE FUNCTION population_events_fill_only() RETURNS trigger AS $$
BEGIN
    IF NEW.engagement_id <> OLD.engagement_id OR NEW.control_id <> OLD.control_id
        OR NEW.event_key <> OLD.event_key OR NEW.occurred_at <> OLD.occurred_at
        OR NEW.source <> OLD.source OR NEW.summary <> OLD.summary
        OR NEW.recorded_by <> OLD.recorded_by OR NEW.recorded_at <> OLD.recorded_at
        OR (OLD.approved_by IS NOT NULL AND (NEW.approved_by IS DISTINCT FROM OLD.approved_by
            OR NEW.approved_at IS DISTINCT FROM OLD.approved_at))
        OR (OLD.evidence_ref <> '' AND NEW.evidence_ref <> OLD.evidence_ref) THEN
        RAISE EXCEPTION 'population events are append-only: only a missing approval or evidence reference may be filled in';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER population_events_no_rewrite
    BEFORE UPDATE ON population_events
    FOR EACH ROW EXECUTE FUNCTION population_events_fill_only();

-- +goose Down
DROP TABLE population_events;
DROP FUNCTION population_events_fill_only();
