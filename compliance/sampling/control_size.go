package sampling

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// ControlSizing is what decides one control's sample.
type ControlSizing struct {
	Frequency compliance.Frequency
	// Risk is the control's own risk level ("" : the review's).
	Risk Risk
	// Automated: the control is enforced by a system rather than done by
	// a person.
	Automated bool
	// Description is the control's description, which may name how many
	// times it operates in a year.
	Description string
}

// ITGCNote names what a test of one instance of an automated control
// relies on: the general IT controls that keep the system doing what it
// was configured to do.
const ITGCNote = "relies on the general IT controls over change management (CHG-*) and logical access (ACC-*) being effective through the window"

var countWords = map[string]int{"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

var namedCount = regexp.MustCompile(`(?i)\b(once|twice|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})(?: times)? (?:a|per|in a|each|every) year\b`)

// NamedCount is how many times a year the description says the control
// operates (0 when it names no count).
func NamedCount(description string) int {
	m := namedCount.FindStringSubmatch(description)
	if m == nil {
		return 0
	}
	if n, ok := countWords[strings.ToLower(m[1])]; ok {
		return n
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// SizeFor is a control's sample size before it is capped at the
// population, and why, in words the review prints:
//
//   - an automated, continuously operating control: one instance, relying
//     on the general IT controls (ITGCNote);
//   - a control whose description names how many times a year it operates:
//     that count (every instance is tested);
//   - otherwise the practice range for its frequency, moved by its risk.
func SizeFor(c ControlSizing, reviewRisk Risk) (int, string, error) {
	if c.Automated && c.Frequency == compliance.FreqContinuous {
		return 1, "automated: one instance of the configuration is tested; it " + ITGCNote, nil
	}
	risk, why := c.Risk, "the control's risk"
	if risk == "" {
		risk, why = reviewRisk, "the review's risk"
	}
	if risk == "" {
		risk = RiskModerate
	}
	n, err := Size(c.Frequency, risk)
	if err != nil {
		return 0, "", err
	}
	if k := NamedCount(c.Description); k > 0 && k > n {
		return k, fmt.Sprintf("the description names %d a year, so every one is tested", k), nil
	}
	rg, _ := Range(c.Frequency)
	return n, fmt.Sprintf("%s %s, %s range %d–%d", risk, strings.TrimPrefix(why, "the "), c.Frequency, rg.Min, rg.Max), nil
}
