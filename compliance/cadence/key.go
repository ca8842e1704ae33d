package cadence

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// ParseKey splits an occurrence key ("ACC-04/2027-Q1") into its control ID
// and period label, checking both: the control ID uses only [A-Za-z0-9._-]
// and the label is one of the forms Key writes (2027-W10, 2027-03, 2027-Q1,
// 2027-H2, 2027-03-01).
func ParseKey(key string) (controlID, period string, err error) {
	i := strings.LastIndexByte(key, '/')
	if i < 0 {
		return "", "", fmt.Errorf("occurrence key %q has no '/' between control and period", key)
	}
	controlID, period = key[:i], key[i+1:]
	if err := validControlID(controlID); err != nil {
		return "", "", fmt.Errorf("occurrence key %q: control: %w", key, err)
	}
	if err := validLabel(period); err != nil {
		return "", "", fmt.Errorf("occurrence key %q: period: %w", key, err)
	}
	return controlID, period, nil
}

func validControlID(id string) error {
	if id == "" {
		return errors.New("is empty")
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("%q has %q; only letters, digits, '.', '_' and '-' are allowed", id, r)
		}
	}
	return nil
}

// validLabel accepts exactly the labels periodLabel writes.
func validLabel(s string) error {
	bad := fmt.Errorf("%q is not YYYY-Www, YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY-MM-DD", s)
	if len(s) < 7 || s[4] != '-' {
		return bad
	}
	year, ok := digits(s[:4])
	if !ok || year == 0 {
		return bad
	}
	rest := s[5:]
	switch {
	case len(rest) == 3 && rest[0] == 'W':
		if w, ok := digits(rest[1:]); ok && w >= 1 && w <= 53 {
			return nil
		}
	case len(rest) == 2 && rest[0] == 'Q':
		if q, ok := digits(rest[1:]); ok && q >= 1 && q <= 4 {
			return nil
		}
	case len(rest) == 2 && rest[0] == 'H':
		if h, ok := digits(rest[1:]); ok && h >= 1 && h <= 2 {
			return nil
		}
	case len(rest) == 2:
		if m, ok := digits(rest); ok && m >= 1 && m <= 12 {
			return nil
		}
	case len(rest) == 5:
		if d, err := compliance.ParseDate(s); err == nil && d.String() == s {
			return nil
		}
	}
	return bad
}

// digits parses a run of ASCII digits (no sign, no spaces).
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
