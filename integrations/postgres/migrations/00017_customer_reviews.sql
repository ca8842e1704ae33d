-- Customers' security reviews (compliance/custreview): the questionnaire
-- as imported, each question's routing to an owner (or the lead's triage
-- list), the owner's answer and the lead's approval. Approved answers are
-- the engagement's library for later questions on the same controls.

-- +goose Up
CREATE TABLE customer_reviews (
    engagement_id text NOT NULL REFERENCES engagements(id),
    review_id     text NOT NULL CHECK (review_id ~ '^[a-z0-9-]+$'),
    customer      text NOT NULL CHECK (btrim(customer) <> ''),
    due_on        date NOT NULL,
    format        text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    file_name     text NOT NULL,
    imported_by   text NOT NULL,
    imported_at   timestamptz NOT NULL,
    closed        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (engagement_id, review_id)
);

CREATE TABLE customer_questions (
    engagement_id text NOT NULL,
    review_id     text NOT NULL,
    question_id   text NOT NULL CHECK (question_id <> ''),
    seq           integer NOT NULL,
    question      text NOT NULL CHECK (question <> ''),
    ref           text NOT NULL DEFAULT '',
    source_where  text NOT NULL DEFAULT '',
    controls      text[] NOT NULL DEFAULT '{}',
    owner_email   text NOT NULL DEFAULT '',
    status        text NOT NULL CHECK (status IN ('unmapped', 'routed', 'answered', 'approved', 'unanswered')),
    prompt_id     text NOT NULL DEFAULT '',
    answer        text NOT NULL DEFAULT '',
    evidence      text NOT NULL DEFAULT '',
    answered_by   text NOT NULL DEFAULT '',
    answered_at   timestamptz,
    approved_by   text NOT NULL DEFAULT '',
    approved_at   timestamptz,
    PRIMARY KEY (engagement_id, review_id, question_id),
    FOREIGN KEY (engagement_id, review_id) REFERENCES customer_reviews,
    CHECK (status <> 'unmapped' OR owner_email = ''),
    CHECK (status <> 'approved' OR (answer <> '' AND approved_by <> ''))
);
CREATE INDEX customer_questions_approved ON customer_questions (engagement_id) WHERE status = 'approved';

-- +goose Down
DROP TABLE customer_questions;
DROP TABLE customer_reviews;
