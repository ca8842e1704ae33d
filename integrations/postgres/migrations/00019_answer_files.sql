-- Files an answer to an auditor's request carries: bytes the answerer gave
-- (stored in the blob store under their SHA-256) or an evidence row of the
-- same engagement that holds a file (evidence_id, its hash copied here so a
-- listing and the evidence pack need no join). Append-only like evidence:
-- an answer is given once, and so are its files.

-- +goose Up
CREATE TABLE answer_files (
    prompt_id     text        NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    seq           int         NOT NULL CHECK (seq >= 1),
    engagement_id text        NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size          bigint      NOT NULL CHECK (size > 0),
    content_type  text        NOT NULL,
    filename      text        NOT NULL CHECK (btrim(filename) <> ''),
    evidence_id   bigint      REFERENCES evidence (id),
    added_by      text        NOT NULL,
    channel       text        NOT NULL,
    added_at      timestamptz NOT NULL,
    PRIMARY KEY (prompt_id, seq)
);
CREATE INDEX answer_files_by_engagement ON answer_files (engagement_id);

CREATE TRIGGER answer_files_no_update
    BEFORE UPDATE ON answer_files
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();

-- +goose Down
DROP TABLE answer_files;
