-- Readiness reviews (mock audits), their findings, the lead's decision on
-- each finding, and the certifications the engagement obtained.

-- +goose Up
-- One row per review. The report is the whole readiness report as JSON; the
-- seed is stored as the bits of the uint64 that drew the samples, so the
-- draw can be shown and repeated.
CREATE TABLE readiness_reviews (
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    review_id     text        NOT NULL,
    as_of         timestamptz NOT NULL,
    seed          bigint      NOT NULL,
    risk          text        NOT NULL,
    report        jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (engagement_id, review_id)
);

-- One row per finding, keyed by a stable ID (control, occurrence, test) so
-- the same deviation found again by a later review is the same row and
-- keeps its decision. review_id is the latest review that reported it. The
-- decision columns mirror the latest row of finding_decisions, kept in step
-- in the transaction that appends it.
CREATE TABLE readiness_findings (
    engagement_id    text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    review_id        text        NOT NULL,
    finding_id       text        NOT NULL,
    control_id       text        NOT NULL,
    occurrence_key   text        NOT NULL,
    test             text        NOT NULL,
    severity         text        NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    exception        text        NOT NULL,
    rank             integer     NOT NULL,
    decision         text        CHECK (decision IN ('fix', 'accept')),
    decided_by       text,
    decided_at       timestamptz,
    reason           text,
    remediation_item text,
    PRIMARY KEY (engagement_id, finding_id),
    FOREIGN KEY (engagement_id, review_id) REFERENCES readiness_reviews (engagement_id, review_id)
);
CREATE INDEX readiness_findings_by_review ON readiness_findings (engagement_id, review_id);

-- Every decision on a finding, never changed: a change of mind is a new row
-- and the latest counts. decision_key is the update or command that made
-- it, so a retry adds nothing. Accepting needs a reason: qualifications are
-- on controls the client chose to accept, with the reason on record.
CREATE TABLE finding_decisions (
    id            bigserial   PRIMARY KEY,
    engagement_id text        NOT NULL,
    finding_id    text        NOT NULL,
    decision      text        NOT NULL CHECK (decision IN ('fix', 'accept')),
    reason        text        NOT NULL DEFAULT '',
    decided_by    text        NOT NULL,
    decided_at    timestamptz NOT NULL,
    decision_key  text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (engagement_id, decision_key),
    CHECK (decision <> 'accept' OR btrim(reason) <> ''),
    FOREIGN KEY (engagement_id, finding_id) REFERENCES readiness_findings (engagement_id, finding_id)
);
CREATE INDEX finding_decisions_latest ON finding_decisions (engagement_id, finding_id, decided_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION finding_decisions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'finding_decisions is append-only: record a new decision instead';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER finding_decisions_no_update
    BEFORE UPDATE OR DELETE ON finding_decisions
    FOR EACH ROW EXECUTE FUNCTION finding_decisions_append_only();
CREATE TRIGGER finding_decisions_no_truncate
    BEFORE TRUNCATE ON finding_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION finding_decisions_append_only();

-- A SOC 2 report (with its period), an ISO 27001 certificate or a PCI DSS
-- attestation. The post-certification plan runs from these dates.
CREATE TABLE certifications (
    engagement_id       text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    framework           text        NOT NULL,
    certified_on        date        NOT NULL,
    report_period_start date,
    report_period_end   date,
    reference           text        NOT NULL DEFAULT '',
    recorded_by         text        NOT NULL,
    recorded_at         timestamptz NOT NULL,
    PRIMARY KEY (engagement_id, framework, certified_on),
    CHECK ((report_period_start IS NULL) = (report_period_end IS NULL)),
    CHECK (report_period_end >= report_period_start)
);

-- +goose Down
DROP TABLE certifications;
DROP TABLE finding_decisions;
DROP FUNCTION finding_decisions_append_only();
DROP TABLE readiness_findings;
DROP TABLE readiness_reviews;
