-- What a population event must hold (compliance.PopulationEvent.Validate)
-- is enforced for every writer by the table, not by the store's Go code: a
-- control, a key and a recorder that are not blank, and a real time it
-- occurred (Go's zero time is year 1). The source and the approval pair were
-- already checked (00006). The store names these constraints when it
-- reports a refused event.

-- +goose Up
ALTER TABLE population_events
    ADD CONSTRAINT population_events_control_id_check  CHECK (btrim(control_id) <> ''),
    ADD CONSTRAINT population_events_event_key_check   CHECK (btrim(event_key) <> ''),
    ADD CONSTRAINT population_events_recorded_by_check CHECK (btrim(recorded_by) <> ''),
    ADD CONSTRAINT population_events_occurred_at_check CHECK (occurred_at > timestamptz '1900-01-01 00:00:00+00');

-- +goose Down
ALTER TABLE population_events
    DROP CONSTRAINT population_events_occurred_at_check,
    DROP CONSTRAINT population_events_recorded_by_check,
    DROP CONSTRAINT population_events_event_key_check,
    DROP CONSTRAINT population_events_control_id_check;
