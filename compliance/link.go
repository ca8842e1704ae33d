package compliance

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// MaxLinkLength is the longest link an answer or a piece of evidence may
// carry. Real evidence links (a drive file, a ticket, a dashboard) are a
// few hundred bytes; 2,048 is what browsers and spreadsheets handle
// everywhere. A longer one is refused rather than stored, shown in every
// listing and written into the evidence pack.
const MaxLinkLength = 2048

// CheckLink is the one rule for a link given as an answer or as evidence:
// an http(s) URL with a host, no longer than MaxLinkLength, with no control
// characters. The error quotes at most the link's start.
func CheckLink(s string) error {
	s = strings.TrimSpace(s)
	if len(s) > MaxLinkLength {
		return fmt.Errorf("the link is %d bytes long; a link may be at most %d (link to the file or page, not its contents)", len(s), MaxLinkLength)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsFunc(s, unicode.IsControl) {
		return fmt.Errorf("%q is not an http(s) link", quoteStart(s, 80))
	}
	return nil
}

// quoteStart is s cut to n runes for an error message.
func quoteStart(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
