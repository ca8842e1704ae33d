-- The issued report as customers read it (compliance/report): the opinion,
-- its exceptions with management's response and whether the lead had
-- accepted them beforehand, each owner's reading of their sections, and the
-- owners' explanations with the lead's approval.

-- +goose Up
CREATE TABLE reports (
    engagement_id text NOT NULL REFERENCES engagements(id),
    framework     text NOT NULL,
    certified_on  date NOT NULL,
    opinion       text NOT NULL CHECK (opinion IN ('unqualified', 'qualified', 'adverse', 'disclaimer')),
    period_start  date,
    period_end    date,
    file_sha256   text NOT NULL DEFAULT '' CHECK (file_sha256 = '' OR file_sha256 ~ '^[0-9a-f]{64}$'),
    file_name     text NOT NULL DEFAULT '',
    file_size     bigint NOT NULL DEFAULT 0,
    file_type     text NOT NULL DEFAULT '',
    recorded_by   text NOT NULL CHECK (btrim(recorded_by) <> ''),
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (engagement_id, framework, certified_on),
    CHECK ((period_start IS NULL) = (period_end IS NULL)),
    CHECK (period_end >= period_start)
);

CREATE TABLE report_exceptions (
    engagement_id       text NOT NULL,
    framework           text NOT NULL,
    certified_on        date NOT NULL,
    n                   integer NOT NULL CHECK (n > 0),
    ref                 text NOT NULL CHECK (ref <> ''),
    description         text NOT NULL CHECK (description <> ''),
    management_response text NOT NULL CHECK (management_response <> ''),
    controls            text[] NOT NULL,
    owners              text[] NOT NULL,
    origin              text NOT NULL CHECK (origin IN ('accepted', 'surprise')),
    because             jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (engagement_id, framework, certified_on, n),
    FOREIGN KEY (engagement_id, framework, certified_on) REFERENCES reports
);

CREATE TABLE report_readings (
    engagement_id text NOT NULL,
    framework     text NOT NULL,
    certified_on  date NOT NULL,
    owner_email   text NOT NULL CHECK (owner_email = lower(btrim(owner_email)) AND owner_email <> ''),
    controls      text[] NOT NULL,
    exceptions    integer[] NOT NULL,
    prompt_id     text NOT NULL,
    status        text NOT NULL CHECK (status IN ('asked', 'read', 'escalated')),
    read_by       text NOT NULL DEFAULT '',
    read_at       timestamptz,
    note          text NOT NULL DEFAULT '',
    PRIMARY KEY (engagement_id, framework, certified_on, owner_email),
    FOREIGN KEY (engagement_id, framework, certified_on) REFERENCES reports
);

CREATE TABLE report_explanations (
    engagement_id text NOT NULL,
    framework     text NOT NULL,
    certified_on  date NOT NULL,
    subject       text NOT NULL CHECK (subject ~ '^(control|exception):.+$'),
    body          text NOT NULL CHECK (btrim(body) <> ''),
    written_by    text NOT NULL,
    written_at    timestamptz NOT NULL,
    approved_by   text NOT NULL DEFAULT '',
    approved_at   timestamptz,
    PRIMARY KEY (engagement_id, framework, certified_on, subject),
    FOREIGN KEY (engagement_id, framework, certified_on) REFERENCES reports
);

-- +goose Down
DROP TABLE report_explanations;
DROP TABLE report_readings;
DROP TABLE report_exceptions;
DROP TABLE reports;
