-- Live pages end when their access does: a session signed out (or swept
-- as expired), and an auditor's invitation given, changed or withdrawn,
-- notify the channel web_access_changed with the person's email, so the
-- web re-checks that person's open streams at once rather than at their
-- next reconnect.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION notify_web_access_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('web_access_changed', OLD.email);
    ELSE
        PERFORM pg_notify('web_access_changed', NEW.email);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER web_sessions_notify
    AFTER UPDATE OR DELETE ON web_sessions
    FOR EACH ROW EXECUTE FUNCTION notify_web_access_changed();

CREATE TRIGGER web_auditor_invites_notify
    AFTER INSERT OR UPDATE OR DELETE ON web_auditor_invites
    FOR EACH ROW EXECUTE FUNCTION notify_web_access_changed();

-- +goose Down
DROP TRIGGER web_auditor_invites_notify ON web_auditor_invites;
DROP TRIGGER web_sessions_notify ON web_sessions;
DROP FUNCTION notify_web_access_changed();
