-- Questions Steadfast asks people, their answers, and the Slack messages
-- that carry them. Every reminder and escalation is an engagement_events row.

-- +goose Up
CREATE TABLE prompts (
    id                text        PRIMARY KEY, -- the prompt workflow's ID
    engagement_id     text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    prompt_key        text        NOT NULL,
    kind              text        NOT NULL,
    subject           text        NOT NULL DEFAULT '',
    question          text        NOT NULL,
    why               text        NOT NULL DEFAULT '',
    choices           jsonb       NOT NULL,
    note_required     boolean     NOT NULL DEFAULT false,
    link_required     boolean     NOT NULL DEFAULT false,
    addressee_email   text        NOT NULL,
    addressee_name    text        NOT NULL DEFAULT '',
    status            text        NOT NULL CHECK (status IN ('open', 'answered', 'expired', 'withdrawn')),
    level             text        NOT NULL DEFAULT 'sent',
    due_at            timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    answer_choice     text        NOT NULL DEFAULT '',
    answer_note       text        NOT NULL DEFAULT '',
    answer_link       text        NOT NULL DEFAULT '',
    answered_by       text        NOT NULL DEFAULT '',
    answered_via      text        NOT NULL DEFAULT '',
    answered_at       timestamptz,
    answer_update_id  text        NOT NULL DEFAULT '',
    UNIQUE (engagement_id, prompt_key)
);
CREATE INDEX prompts_open_by_addressee ON prompts (engagement_id, addressee_email) WHERE status = 'open';

-- One row per Slack message Steadfast owns (an owner's digest, a day's
-- escalation), so a retried activity updates the message instead of
-- posting a second one.
CREATE TABLE slack_messages (
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    purpose       text        NOT NULL,
    channel       text        NOT NULL,
    ts            text        NOT NULL,
    posted_at     timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (engagement_id, purpose)
);

-- +goose Down
DROP TABLE slack_messages;
DROP TABLE prompts;
