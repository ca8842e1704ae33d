-- A remediation item can be withdrawn: an approved tailoring change took its
-- control out of scope while the gap was open. The item keeps a note naming
-- the change and who approved it; it is neither fixed nor accepted.

-- +goose Up
ALTER TABLE remediation_items DROP CONSTRAINT remediation_items_status_check;
ALTER TABLE remediation_items ADD CONSTRAINT remediation_items_status_check
    CHECK (status IN ('open', 'done', 'verified', 'accepted', 'withdrawn'));
ALTER TABLE remediation_items ADD COLUMN note text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE remediation_items DROP COLUMN note;
UPDATE remediation_items SET status = 'open' WHERE status = 'withdrawn';
ALTER TABLE remediation_items DROP CONSTRAINT remediation_items_status_check;
ALTER TABLE remediation_items ADD CONSTRAINT remediation_items_status_check
    CHECK (status IN ('open', 'done', 'verified', 'accepted'));
