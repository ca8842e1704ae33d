-- When the control was performed (and, for a review, the period it covers)
-- besides when the evidence was recorded, and the artifact when the evidence
-- is a file. Old rows keep NULL performed_at: they were performed when they
-- were recorded, as far as anyone can show. A file's bytes live in the blob
-- store under artifact_sha256; the row holds the hash, size, sniffed type and
-- the name it was uploaded as.

-- +goose Up
ALTER TABLE evidence
    ADD COLUMN performed_at    timestamptz,
    ADD COLUMN covers_start    date,
    ADD COLUMN covers_end      date,
    ADD COLUMN artifact_sha256 text   NOT NULL DEFAULT '',
    ADD COLUMN artifact_size   bigint NOT NULL DEFAULT 0,
    ADD COLUMN content_type    text   NOT NULL DEFAULT '',
    ADD COLUMN filename        text   NOT NULL DEFAULT '',
    ADD CONSTRAINT evidence_covers_check CHECK ((covers_start IS NULL) = (covers_end IS NULL) AND covers_start <= covers_end),
    ADD CONSTRAINT evidence_artifact_check CHECK (artifact_sha256 = '' OR artifact_sha256 ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT evidence_file_check CHECK (kind <> 'file' OR artifact_sha256 <> '');
ALTER TABLE evidence DROP CONSTRAINT evidence_kind_check;
ALTER TABLE evidence ADD CONSTRAINT evidence_kind_check CHECK (kind IN ('link', 'attestation', 'jira', 'note', 'file'));

-- +goose Down
ALTER TABLE evidence DROP CONSTRAINT evidence_kind_check;
ALTER TABLE evidence ADD CONSTRAINT evidence_kind_check CHECK (kind IN ('link', 'attestation', 'jira', 'note'));
ALTER TABLE evidence
    DROP CONSTRAINT evidence_file_check,
    DROP CONSTRAINT evidence_artifact_check,
    DROP CONSTRAINT evidence_covers_check,
    DROP COLUMN filename,
    DROP COLUMN content_type,
    DROP COLUMN artifact_size,
    DROP COLUMN artifact_sha256,
    DROP COLUMN covers_end,
    DROP COLUMN covers_start,
    DROP COLUMN performed_at;
