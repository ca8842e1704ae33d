package jira_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/integrations/jira"
)

func TestCheckSignatureHeaderLooksAtTheHeaderAlone(t *testing.T) {
	sig := jira.Sign("secret", []byte(`{}`))
	assert.NoError(t, jira.CheckSignatureHeader(http.Header{"X-Hub-Signature": {sig}}))
	assert.NoError(t, jira.CheckSignatureHeader(http.Header{"X-Hub-Signature": {"SHA256" + strings.TrimPrefix(sig, "sha256")}}))
	for name, v := range map[string]string{
		"missing": "", "sha1": "sha1=" + strings.Repeat("ab", 20), "no algorithm": strings.TrimPrefix(sig, "sha256="),
		"short": "sha256=abcd", "not hex": "sha256=" + strings.Repeat("zz", 32),
	} {
		assert.Error(t, jira.CheckSignatureHeader(http.Header{"X-Hub-Signature": {v}}), name)
	}
}
