-- The gap assessment: every control's answer, and the ranked register.

-- +goose Up
CREATE TABLE control_assessments (
    engagement_id   text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id      text        NOT NULL,
    owner_email     text        NOT NULL,
    prompt_id       text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('implemented', 'partial', 'missing', 'unknown', 'not-applicable')),
    evidence_exists boolean     NOT NULL,
    sampleable      boolean     NOT NULL,
    choice          text        NOT NULL DEFAULT '',
    note            text        NOT NULL DEFAULT '',
    link            text        NOT NULL DEFAULT '',
    answered_by     text        NOT NULL DEFAULT '',
    answered_via    text        NOT NULL DEFAULT '',
    answered_at     timestamptz,
    unanswered      boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (engagement_id, control_id)
);

-- One row per applicable control, in rank order; overrides and acceptances
-- by the lead sit beside the computed rank so both stay visible.
CREATE TABLE gap_register (
    engagement_id  text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id     text        NOT NULL,
    rank           integer     NOT NULL,
    score          integer     NOT NULL,
    gap            boolean     NOT NULL,
    status         text        NOT NULL,
    title          text        NOT NULL,
    domain         text        NOT NULL,
    owner_email    text        NOT NULL,
    frequency      text        NOT NULL,
    sample_size    integer     NOT NULL,
    frameworks     text[]      NOT NULL,
    requirements   integer     NOT NULL,
    automated      boolean     NOT NULL,
    reasons        text[]      NOT NULL,
    override_rank  integer,
    override_reason text       NOT NULL DEFAULT '',
    accepted       boolean     NOT NULL DEFAULT false,
    accept_reason  text        NOT NULL DEFAULT '',
    decided_by     text        NOT NULL DEFAULT '',
    decided_at     timestamptz,
    built_at       timestamptz NOT NULL,
    PRIMARY KEY (engagement_id, control_id)
);

-- +goose Down
DROP TABLE gap_register;
DROP TABLE control_assessments;
