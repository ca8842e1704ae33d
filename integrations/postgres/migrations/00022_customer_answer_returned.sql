-- The lead may return an owner's answer to a customer question, with a
-- reason (compliance/custreview CheckReturn): the question is "returned"
-- until its owner answers again, in a new prompt that carries the reason.
-- The owner's previous answer stays in place until the new one replaces it;
-- returns counts the times it went back, so each return is its own step.

-- +goose Up
ALTER TABLE customer_questions
    DROP CONSTRAINT customer_questions_status_check,
    ADD CONSTRAINT customer_questions_status_check
        CHECK (status IN ('unmapped', 'routed', 'answered', 'approved', 'unanswered', 'returned')),
    ADD COLUMN returned_reason text NOT NULL DEFAULT '',
    ADD COLUMN returned_by     text NOT NULL DEFAULT '',
    ADD COLUMN returned_at     timestamptz,
    ADD COLUMN returns         integer NOT NULL DEFAULT 0 CHECK (returns >= 0),
    ADD CONSTRAINT customer_questions_returned CHECK (
        status <> 'returned' OR (returned_reason <> '' AND returned_by <> '' AND returned_at IS NOT NULL));

-- +goose Down
UPDATE customer_questions SET status = 'answered' WHERE status = 'returned';
ALTER TABLE customer_questions
    DROP CONSTRAINT customer_questions_returned,
    DROP COLUMN returns,
    DROP COLUMN returned_at,
    DROP COLUMN returned_by,
    DROP COLUMN returned_reason,
    DROP CONSTRAINT customer_questions_status_check,
    ADD CONSTRAINT customer_questions_status_check
        CHECK (status IN ('unmapped', 'routed', 'answered', 'approved', 'unanswered'));
