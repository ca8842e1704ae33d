package jira

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":             defaultRetryAfter,
		"30":           30 * time.Second,
		"0":            minRetryAfter,
		"-4":           minRetryAfter,
		"999999999999": maxRetryAfter,
		"soon":         defaultRetryAfter,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       minRetryAfter,
		now.Add(48 * time.Hour).Format(http.TimeFormat):   maxRetryAfter,
	} {
		assert.Equal(t, want, parseRetryAfter(in, now), "Retry-After %q", in)
	}
}

func TestQuoteJQL(t *testing.T) {
	assert.Equal(t, `"a"`, quoteJQL("a"))
	assert.Equal(t, `"a\"b\\c"`, quoteJQL(`a"b\c`))
}
