package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// runCLI runs the starter with args and returns stdout and the error.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cli := newRootCmd()
	var out, errOut bytes.Buffer
	cli.SetOut(&out)
	cli.SetErr(&errOut)
	cli.SetArgs(args)
	err := cli.Execute()
	return out.String(), err
}

// The pack is signed with the key keygen made, and verify checks it against
// the public key given apart from the pack, naming what changed.
func TestEvidencePackKeygenSignVerify(t *testing.T) {
	tmp := t.TempDir()
	keyFile := filepath.Join(tmp, "pack.key")
	out, err := runCLI(t, "evidence-pack", "keygen", "--out", keyFile)
	require.NoError(t, err)
	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the signing key is private")
	pubText, err := os.ReadFile(keyFile + ".pub")
	require.NoError(t, err)
	assert.Contains(t, out, strings.TrimSpace(string(pubText)), "the public key is printed")
	_, err = runCLI(t, "evidence-pack", "keygen", "--out", keyFile)
	assert.ErrorContains(t, err, "exists", "keygen never overwrites a key")

	t.Setenv(evidencepack.EnvKeyFile, keyFile)
	dir := filepath.Join(tmp, "pack")
	_, err = writeEvidencePack(dir, sampleReview(t))
	require.NoError(t, err)
	sig, err := os.ReadFile(filepath.Join(dir, evidencepack.SignatureName))
	require.NoError(t, err)
	assert.Contains(t, string(sig), "public-key: "+strings.TrimSpace(string(pubText)), "the public key is embedded in the pack")

	// The auditor's check: with the key's text or its file.
	out, err = runCLI(t, "evidence-pack", "verify", dir, "--public-key", strings.TrimSpace(string(pubText)))
	require.NoError(t, err)
	assert.Regexp(t, `all 4 files match MANIFEST.sha256, signed by key [0-9a-f]{16} \(--public-key\)`, out)
	_, err = runCLI(t, "evidence-pack", "verify", dir, "--public-key", keyFile+".pub")
	require.NoError(t, err)

	// Another deployment's key: refused, and said so.
	other, err := evidencepack.GenerateKey()
	require.NoError(t, err)
	otherPub := evidencepack.FormatPublicKey(other.Public().(ed25519.PublicKey))
	_, err = runCLI(t, "evidence-pack", "verify", dir, "--public-key", otherPub)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "signed by key")
	assert.Contains(t, err.Error(), "not by the key you gave")

	// An edit with its manifest line re-hashed names the manifest.
	path := filepath.Join(dir, "index.json")
	require.NoError(t, os.WriteFile(path, []byte("[]\n"), 0o644))
	manifest, err := os.ReadFile(filepath.Join(dir, manifestName))
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(manifest)), "\n") {
		if strings.HasSuffix(l, "  index.json") {
			l = "3c0c1ab4d5cd5d8e6f5b2a05c3bb5cf2d0a8e8ed2b1b8f5f1d2c7e0e7e3b2b1a  index.json" // any other hash
		}
		lines = append(lines, l)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, manifestName), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	_, err = runCLI(t, "evidence-pack", "verify", dir, "--public-key", keyFile+".pub")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MANIFEST.sha256: changed after it was signed")

	// No key anywhere: the pack is not written, and verify asks for one.
	t.Setenv(evidencepack.EnvKeyFile, "")
	t.Setenv(evidencepack.EnvKey, "")
	_, err = writeEvidencePack(filepath.Join(tmp, "unsigned"), sampleReview(t))
	assert.ErrorIs(t, err, evidencepack.ErrNoKey)
	assert.NoDirExists(t, filepath.Join(tmp, "unsigned"))
	_, err = runCLI(t, "evidence-pack", "verify", dir)
	assert.ErrorContains(t, err, "--public-key KEY is required")
	_, err = runCLI(t, "evidence-pack", "verify", dir, "--public-key", "not-a-key")
	assert.ErrorContains(t, err, "--public-key is neither a public key nor a readable file")
}

// Values people typed reach the pack's CSVs behind a quote, so a
// spreadsheet shows them instead of running them; the JSON keeps them.
func TestEvidencePackCSVsNeutraliseFormulas(t *testing.T) {
	rep := sampleReview(t)
	rep.Controls[0].Title = `=HYPERLINK("https://evil.example","open")`
	at := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	audit := packAudit{rows: []auditRow{{AuditRequest: compliance.AuditRequest{
		RequestID: "+PBC-1", Description: "@SUM(1+1)*cmd|' /C calc'!A0", AnswerNote: "-2+3+cmd|' /C calc'!A0",
		AnswerLink: "=WEBSERVICE(\"https://evil.example\")", Status: "answered", AnsweredAt: &at, DueAt: at,
	}}}}
	files, err := evidencepack.Build(rep, audit.part())
	require.NoError(t, err)

	recs, err := csv.NewReader(bytes.NewReader(files[packAuditCSV])).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	row := map[string]string{}
	for i, h := range recs[0] {
		row[h] = recs[1][i]
	}
	assert.Equal(t, "'+PBC-1", row["request_id"])
	assert.Equal(t, "'@SUM(1+1)*cmd|' /C calc'!A0", row["description"])
	assert.Equal(t, "'-2+3+cmd|' /C calc'!A0", row["answer_note"])
	assert.Equal(t, `'=WEBSERVICE("https://evil.example")`, row["answer_link"])
	var js []auditRow
	require.NoError(t, json.Unmarshal(files[packAuditJSON], &js))
	assert.Equal(t, "+PBC-1", js[0].RequestID, "the JSON holds the value as given")

	idx, err := csv.NewReader(bytes.NewReader(files[evidencepack.IndexCSV])).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, `'=HYPERLINK("https://evil.example","open")`, idx[1][1])
}
