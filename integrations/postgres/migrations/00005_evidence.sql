-- Evidence gathered through the operating period. Append-only: a correction
-- is a new row pointing at the row it corrects; nothing is overwritten.

-- +goose Up
CREATE TABLE evidence (
    id             bigserial   PRIMARY KEY,
    engagement_id  text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id     text        NOT NULL,
    occurrence_key text        NOT NULL,
    period_start   date        NOT NULL,
    period_end     date        NOT NULL,
    due_at         timestamptz NOT NULL,
    submitted_at   timestamptz NOT NULL,
    submitted_by   text        NOT NULL,
    channel        text        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('link', 'attestation', 'jira', 'note')),
    value          text        NOT NULL,
    value_sha256   text        NOT NULL,
    corrects       bigint      REFERENCES evidence (id),
    submission_key text        NOT NULL, -- the update or command that gave it: a retry adds nothing
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (engagement_id, submission_key)
);
CREATE INDEX evidence_by_control ON evidence (engagement_id, control_id, occurrence_key);

-- +goose StatementBegin
CREATE FUNCTION evidence_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'evidence is append-only: record a correction instead';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER evidence_no_update
    BEFORE UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();

-- +goose Down
DROP TABLE evidence;
DROP FUNCTION evidence_append_only();
