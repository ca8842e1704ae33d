-- The library of approved customer answers is re-confirmed when what an
-- answer rests on changes (compliance/custreview LibraryChange): new
-- evidence of one of its controls, or a newly issued report. Such an answer
-- keeps its status (the customer already has it) but leaves the library
-- until its owner re-confirms or rewrites it and the lead approves it again.

-- +goose Up
ALTER TABLE customer_questions
    ADD COLUMN reconfirm_why   text NOT NULL DEFAULT '',
    ADD COLUMN reconfirm_since timestamptz,
    ADD COLUMN reconfirmed_by  text NOT NULL DEFAULT '',
    ADD CONSTRAINT customer_questions_reconfirm CHECK (
        (reconfirm_why = '' AND reconfirm_since IS NULL AND reconfirmed_by = '')
        OR (reconfirm_why <> '' AND reconfirm_since IS NOT NULL AND status = 'approved'));

-- +goose Down
ALTER TABLE customer_questions
    DROP CONSTRAINT customer_questions_reconfirm,
    DROP COLUMN reconfirmed_by,
    DROP COLUMN reconfirm_since,
    DROP COLUMN reconfirm_why;
