-- Remediation: one item per gap, kept here with or without Jira.

-- +goose Up
CREATE TABLE remediation_items (
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    control_id    text        NOT NULL,
    item_id       text        NOT NULL UNIQUE, -- the gap workflow's ID
    rank          integer     NOT NULL,
    title         text        NOT NULL,
    owner_email   text        NOT NULL,
    due_date      date        NOT NULL,
    ticket_key    text        NOT NULL DEFAULT '', -- Jira key once known
    ticket_label  text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('open', 'done', 'verified', 'accepted')),
    evidence_link text        NOT NULL DEFAULT '',
    closed_by     text        NOT NULL DEFAULT '',
    closed_at     timestamptz,
    opened_at     timestamptz NOT NULL,
    PRIMARY KEY (engagement_id, control_id)
);

-- +goose Down
DROP TABLE remediation_items;
