-- A customer review's export carries references to evidence unless the
-- lead allows files for that review (compliance/custreview FilesAllowance):
-- the decision is recorded once, with who made it and when.

-- +goose Up
ALTER TABLE customer_reviews
    ADD COLUMN files_allowed_by text NOT NULL DEFAULT '',
    ADD COLUMN files_allowed_at timestamptz,
    ADD CONSTRAINT customer_reviews_files_allowed CHECK ((files_allowed_by = '') = (files_allowed_at IS NULL));

-- +goose Down
ALTER TABLE customer_reviews
    DROP CONSTRAINT customer_reviews_files_allowed,
    DROP COLUMN files_allowed_at,
    DROP COLUMN files_allowed_by;
