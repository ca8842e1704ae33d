-- The web's sign-in: single-use sign-in links and server-side sessions,
-- both stored as the SHA-256 of the secret so a read of the table cannot
-- sign anyone in; and the auditors a lead invited to one engagement for a
-- period.

-- +goose Up
CREATE TABLE web_signin_links (
    token_sha256  bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    email         text NOT NULL CHECK (email = lower(btrim(email)) AND email <> ''),
    engagement_id text NOT NULL REFERENCES engagements(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);

CREATE TABLE web_sessions (
    session_sha256 bytea PRIMARY KEY CHECK (length(session_sha256) = 32),
    email          text NOT NULL CHECK (email = lower(btrim(email)) AND email <> ''),
    via            text NOT NULL CHECK (via IN ('link', 'oidc')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

CREATE TABLE web_auditor_invites (
    engagement_id text NOT NULL REFERENCES engagements(id),
    email         text NOT NULL CHECK (email = lower(btrim(email)) AND email <> ''),
    until_day     date NOT NULL,
    invited_by    text NOT NULL CHECK (btrim(invited_by) <> ''),
    invited_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (engagement_id, email)
);

-- +goose Down
DROP TABLE web_auditor_invites;
DROP TABLE web_sessions;
DROP TABLE web_signin_links;
