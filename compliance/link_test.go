package compliance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckLink(t *testing.T) {
	assert.NoError(t, CheckLink("https://drive.example/file/1"))
	assert.NoError(t, CheckLink(" http://x.example/a?b=c "))
	assert.ErrorContains(t, CheckLink("ftp://x.example/"), "is not an http(s) link")
	assert.ErrorContains(t, CheckLink("https:///path"), "is not an http(s) link")
	assert.ErrorContains(t, CheckLink("https://x.example/\u0007"), "is not an http(s) link")
	long := "https://x.example/" + strings.Repeat("a", 120*1024)
	err := CheckLink(long)
	assert.ErrorContains(t, err, "a link may be at most 2048")
	assert.Less(t, len(err.Error()), 200, "the error does not repeat the link")
	assert.NoError(t, CheckLink("https://x.example/"+strings.Repeat("a", MaxLinkLength-len("https://x.example/"))))
}
