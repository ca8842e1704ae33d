-- Remediation items are keyed by their item (the gap workflow's ID), not by
-- (engagement, control): a control whose gap was remediated and closed can
-- have a gap again when a tailoring change's round re-assesses it, and that
-- gap gets an item of its own (engagement/<id>/gap/<change>/<control>).
-- item_id was already NOT NULL UNIQUE, so every existing row stays valid.

-- +goose Up
ALTER TABLE remediation_items DROP CONSTRAINT remediation_items_pkey;
ALTER TABLE remediation_items DROP CONSTRAINT remediation_items_item_id_key;
ALTER TABLE remediation_items ADD PRIMARY KEY (item_id);
CREATE INDEX remediation_items_engagement ON remediation_items (engagement_id, control_id);

-- +goose Down
DROP INDEX remediation_items_engagement;
ALTER TABLE remediation_items DROP CONSTRAINT remediation_items_pkey;
ALTER TABLE remediation_items ADD CONSTRAINT remediation_items_item_id_key UNIQUE (item_id);
ALTER TABLE remediation_items ADD PRIMARY KEY (engagement_id, control_id);
