-- The evidence that a readiness finding the lead chose to fix was fixed:
-- one row per finding, written once by the owner's answer (a retry of the
-- same answer changes nothing).

-- +goose Up
CREATE TABLE finding_fixes (
    engagement_id text        NOT NULL,
    finding_id    text        NOT NULL,
    evidence      text        NOT NULL,
    fixed_by      text        NOT NULL,
    fixed_at      timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (engagement_id, finding_id),
    FOREIGN KEY (engagement_id, finding_id) REFERENCES readiness_findings (engagement_id, finding_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE finding_fixes;
