-- The auditor's request list during fieldwork ("provided by client"): one
-- row per request, routed to its owner as a prompt (prompt_id). The answer
-- is given through the prompt and copied here once recorded, so the list an
-- auditor receives does not depend on the prompts table's lifetime.
--
-- The row is written before its prompt is started and is never rewritten
-- by a re-import: the request as first routed stands, and a second import of
-- the same list adds nothing.

-- +goose Up
CREATE TABLE audit_requests (
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    request_id    text        NOT NULL, -- the auditor's reference, e.g. PBC-014
    control_id    text,                 -- the control it concerns, when the auditor named one
    description   text        NOT NULL,
    owner         text        NOT NULL, -- email of the person it is routed to
    due_at        timestamptz NOT NULL,
    requested_by  text        NOT NULL, -- who entered it (--as), or 'auditor'
    imported_from text        NOT NULL, -- the CSV file's name, or 'cli'
    prompt_id     text        NOT NULL UNIQUE,
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'withdrawn')),
    answer_choice text        NOT NULL DEFAULT '',
    answer_link   text        NOT NULL DEFAULT '',
    answer_note   text        NOT NULL DEFAULT '',
    answered_by   text        NOT NULL DEFAULT '',
    answered_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (engagement_id, request_id),
    -- An answer is who and when; one without the other is not an answer.
    CHECK ((status = 'answered') = (answered_at IS NOT NULL AND answered_by <> ''))
);
CREATE INDEX audit_requests_by_due ON audit_requests (engagement_id, due_at);

-- +goose Down
DROP TABLE audit_requests;
