-- Live pages: every change a page shows (an event appended, a prompt
-- opened, answered or moved up its ladder) notifies the channel
-- engagement_changed with the engagement's ID, in the writer's own
-- transaction, so the web learns of a Slack click or a Jira transition
-- the moment it commits, without polling. Postgres folds identical
-- notifications of one transaction into one, so a transaction that
-- writes many rows of one engagement wakes listeners once.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION notify_engagement_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('engagement_changed', NEW.engagement_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER engagement_events_notify
    AFTER INSERT ON engagement_events
    FOR EACH ROW EXECUTE FUNCTION notify_engagement_changed();

CREATE TRIGGER prompts_notify
    AFTER INSERT OR UPDATE ON prompts
    FOR EACH ROW EXECUTE FUNCTION notify_engagement_changed();

-- +goose Down
DROP TRIGGER prompts_notify ON prompts;
DROP TRIGGER engagement_events_notify ON engagement_events;
DROP FUNCTION notify_engagement_changed();
