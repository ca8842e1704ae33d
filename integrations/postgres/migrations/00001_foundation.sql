-- Engagements, their scope and plan, and the append-only event log that is
-- the engagement's audit trail.

-- +goose Up
CREATE TABLE engagements (
    id            text PRIMARY KEY,
    client_name   text        NOT NULL,
    workflow_id   text        NOT NULL,
    phase         text        NOT NULL,
    spec_revision integer     NOT NULL,
    spec          jsonb       NOT NULL,
    audit_date    date        NOT NULL,
    time_zone     text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE engagement_frameworks (
    engagement_id text NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    framework     text NOT NULL,
    version       text NOT NULL,
    details       jsonb NOT NULL,
    PRIMARY KEY (engagement_id, framework)
);

CREATE TABLE systems (
    engagement_id   text    NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    name            text    NOT NULL,
    kind            text    NOT NULL,
    environment     text    NOT NULL,
    data_classes    text[]  NOT NULL,
    scope           text    NOT NULL CHECK (scope IN ('in', 'excluded')),
    rationale       text    NOT NULL DEFAULT '',
    cde             boolean NOT NULL DEFAULT false,
    cardholder_flow text[]  NOT NULL DEFAULT '{}',
    connected_to    text[]  NOT NULL DEFAULT '{}',
    PRIMARY KEY (engagement_id, name)
);

CREATE TABLE people (
    engagement_id text   NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    email         text   NOT NULL,
    name          text   NOT NULL,
    slack_id      text   NOT NULL DEFAULT '',
    roles         text[] NOT NULL,
    owns          text[] NOT NULL DEFAULT '{}',
    time_zone     text   NOT NULL DEFAULT '',
    PRIMARY KEY (engagement_id, email)
);

-- One row per finding per spec revision, so a revised scope keeps the
-- history of what was flagged before.
CREATE TABLE scope_risks (
    engagement_id text    NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    spec_revision integer NOT NULL,
    rule          text    NOT NULL,
    systems_key   text    NOT NULL,
    systems       text[]  NOT NULL,
    severity      text    NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    message       text    NOT NULL,
    PRIMARY KEY (engagement_id, spec_revision, rule, systems_key)
);

CREATE TABLE plans (
    engagement_id text    NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    spec_revision integer NOT NULL,
    fits          boolean NOT NULL,
    start_date    date    NOT NULL,
    latest_start  date    NOT NULL,
    operating_start date  NOT NULL,
    operating_end date    NOT NULL,
    readiness_start date  NOT NULL,
    audit_date    date    NOT NULL,
    plan          jsonb   NOT NULL,
    PRIMARY KEY (engagement_id, spec_revision)
);

CREATE TABLE scope_decisions (
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    spec_revision integer     NOT NULL,
    decision      text        NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_by    text        NOT NULL,
    reason        text        NOT NULL DEFAULT '',
    channel       text        NOT NULL,
    update_id     text        NOT NULL DEFAULT '',
    decided_at    timestamptz NOT NULL,
    PRIMARY KEY (engagement_id, spec_revision)
);

-- Every decision and phase change, who made it, when and through which
-- channel. event_key makes a retried activity's insert a no-op.
CREATE TABLE engagement_events (
    id            bigserial PRIMARY KEY,
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    event_key     text        NOT NULL,
    kind          text        NOT NULL,
    actor         text        NOT NULL,
    channel       text        NOT NULL,
    detail        jsonb       NOT NULL DEFAULT '{}',
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (engagement_id, event_key)
);

-- The event log is evidence: rows are never changed or removed.
-- +goose StatementBegin
CREATE FUNCTION engagement_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'engagement_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER engagement_events_no_update
    BEFORE UPDATE OR DELETE ON engagement_events
    FOR EACH ROW EXECUTE FUNCTION engagement_events_append_only();

-- +goose Down
DROP TABLE engagement_events;
DROP FUNCTION engagement_events_append_only();
DROP TABLE scope_decisions;
DROP TABLE plans;
DROP TABLE scope_risks;
DROP TABLE people;
DROP TABLE systems;
DROP TABLE engagement_frameworks;
DROP TABLE engagements;
