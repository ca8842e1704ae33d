// Package auditreq is the auditor's request list during fieldwork (the
// "PBC" list): reading it from the CSV the auditor sends, checking each
// request, and deciding who answers it. It is pure: the spec, the control
// library and the client's zone come in as values, nothing is read or sent.
package auditreq

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// PromptKind is the prompts table's kind for an audit request's prompt,
// and KeyPrefix starts its prompt key (audit/PBC-014).
const (
	PromptKind = "audit-request"
	KeyPrefix  = "audit/"
)

// The choices an audit request's prompt offers. Choice IDs are one word
// or hyphenated, as every other prompt's are; prompts opened before this
// spelling keep "cannot provide" in their own choices and still take it.
const (
	ChoiceProvided      = "provided"
	ChoiceCannotProvide = "cannot-provide"
)

// Limits on one request: an auditor's reference is short, and a description
// is a paragraph, not a document.
const (
	MaxRequestIDLen   = 64
	MaxDescriptionLen = 4000
)

// DueHour is the local hour a request given as a bare date is due: the
// same end of the working day as evidence (cadence.DefaultDueHour).
const DueHour = cadence.DefaultDueHour

// Column names in the CSV header (case-insensitive). The same names are
// used in problems about requests given as flags.
const (
	ColRequestID   = "request_id"
	ColControlID   = "control_id"
	ColDescription = "description"
	ColOwner       = "owner"
	ColDue         = "due"
)

// Routing says how a request's owner was decided.
type Routing string

const (
	// RoutedNamed: the auditor's list named the owner.
	RoutedNamed Routing = "named"
	// RoutedControlOwner: no owner given; the owner of the control's area.
	RoutedControlOwner Routing = "control-owner"
	// RoutedLead: neither owner nor control given; the engagement's lead.
	RoutedLead Routing = "lead"
)

// Request is one checked request, ready to be routed.
type Request struct {
	RequestID   string            `json:"request_id"`
	ControlID   string            `json:"control_id,omitempty"`
	Description string            `json:"description"`
	Owner       compliance.Person `json:"owner"`
	RoutedBy    Routing           `json:"routed_by"`
	Due         time.Time         `json:"due"`
	// Line is where the request starts in its file (0 from flags).
	Line int `json:"line,omitempty"`
}

// Fields are a request as given, before it is checked.
type Fields struct {
	RequestID, ControlID, Description, Owner, Due string
}

// Options are what checking a request needs from the engagement.
type Options struct {
	// Spec names the people a request may be routed to and who owns each
	// control area.
	Spec *compliance.Spec
	// Location is the client's zone: a due date without a time is due at
	// DueHour there.
	Location *time.Location
	// Catalog is the control library; nil means catalog.Default().
	Catalog *catalog.Library
	// Now, when set, refuses requests already past due (CheckDue).
	Now time.Time
}

func (o Options) validate() error {
	switch {
	case o.Spec == nil:
		return errors.New("auditreq: no spec")
	case o.Location == nil:
		return errors.New("auditreq: no client time zone")
	}
	return nil
}

func (o Options) library() *catalog.Library {
	if o.Catalog != nil {
		return o.Catalog
	}
	// The spec's own controls can be asked about too: the library as the
	// spec tailors it (a spec whose tailoring does not load keeps the
	// library's controls).
	if tl, err := catalog.Default().Tailor(o.Spec); err == nil {
		return tl
	}
	return catalog.Default()
}

// Check checks one request and decides its owner. Problems carry line and
// the column names; the caller sets File.
func (o Options) Check(f Fields, line int) (Request, Problems) {
	var ps Problems
	bad := func(col, format string, args ...any) {
		ps = append(ps, Problem{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	}
	req := Request{Line: line}

	req.RequestID = strings.TrimSpace(f.RequestID)
	switch {
	case req.RequestID == "":
		bad(ColRequestID, "missing: every request needs the auditor's reference (e.g. PBC-014)")
	case !utf8.ValidString(req.RequestID) || strings.IndexFunc(req.RequestID, unicode.IsControl) >= 0:
		bad(ColRequestID, "%q has characters that cannot be stored (control characters or invalid UTF-8)", req.RequestID)
	case utf8.RuneCountInString(req.RequestID) > MaxRequestIDLen:
		bad(ColRequestID, "%q is longer than %d characters", shorten(req.RequestID, 20), MaxRequestIDLen)
	}

	var control *catalog.Control
	if id := strings.TrimSpace(f.ControlID); id != "" {
		control = o.library().Control(strings.ToUpper(id))
		if control == nil {
			bad(ColControlID, "%q is not a control in the library (e.g. ACC-04; `starter catalog export --format json` lists them, `starter catalog show ID` shows one)", shorten(id, 20))
		} else {
			req.ControlID = control.ID
		}
	}

	req.Description = strings.TrimSpace(f.Description)
	switch {
	case req.Description == "":
		bad(ColDescription, "missing: say what the auditor asks for")
	case !utf8.ValidString(req.Description) || strings.IndexFunc(req.Description, controlExceptLayout) >= 0:
		bad(ColDescription, "has characters that cannot be stored (control characters or invalid UTF-8)")
	case utf8.RuneCountInString(req.Description) > MaxDescriptionLen:
		bad(ColDescription, "is longer than %d characters", MaxDescriptionLen)
	}

	if owner := strings.TrimSpace(f.Owner); owner != "" {
		if p, msg := o.person(owner); msg != "" {
			bad(ColOwner, "%s", msg)
		} else {
			req.Owner, req.RoutedBy = p, RoutedNamed
		}
	} else if control != nil {
		req.Owner, req.RoutedBy = o.Spec.OwnerOfControl(control.ID, control.Domain), RoutedControlOwner
		if !o.Spec.HasControlOwner(control.ID) && !slices.Contains(req.Owner.Owns, control.Domain) {
			// Nobody owns the control or its area: OwnerOf gave the
			// lead, who delegates.
			req.RoutedBy = RoutedLead
		}
	} else if leads := o.Spec.PeopleWithRole(compliance.RoleLead); len(leads) > 0 {
		req.Owner, req.RoutedBy = leads[0], RoutedLead
	}
	if req.Owner.Email == "" && strings.TrimSpace(f.Owner) == "" {
		bad(ColOwner, "missing, and the engagement has no lead to route it to")
	}

	due, msg := o.due(strings.TrimSpace(f.Due))
	if msg != "" {
		bad(ColDue, "%s", msg)
	} else if !o.Now.IsZero() && !due.After(o.Now) {
		bad(ColDue, "%s has passed: agree a new due date with the auditor and give that", strings.TrimSpace(f.Due))
	}
	req.Due = due

	if len(ps) > 0 {
		return Request{}, ps
	}
	return req, nil
}

// person finds an owner among the engagement's people. A request routed to
// an address the engagement does not know would be chased nowhere.
func (o Options) person(email string) (compliance.Person, string) {
	if !utf8.ValidString(email) {
		return compliance.Person{}, "is not valid UTF-8"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email {
		return compliance.Person{}, fmt.Sprintf("%q is not an email address", shorten(email, 40))
	}
	if p := o.Spec.Person(email); p != nil {
		return *p, ""
	}
	return compliance.Person{}, fmt.Sprintf("%s is not one of the engagement's people (add them to the spec, or leave owner blank to route the request to the control's owner)", shorten(email, 60))
}

// due reads a due date (YYYY-MM-DD, due at DueHour in the client's zone)
// or an exact time (RFC 3339).
func (o Options) due(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "missing: the date the auditor wants it by (YYYY-MM-DD)"
	}
	if d, err := compliance.ParseDate(s); err == nil {
		return time.Date(d.Year, d.Month, d.Day, DueHour, 0, 0, 0, o.Location), ""
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, ""
	}
	return time.Time{}, fmt.Sprintf("%q is not a date (YYYY-MM-DD) or a time (RFC 3339, e.g. 2027-06-14T17:00:00-04:00)", shorten(s, 40))
}

// PromptKey is the prompt key of a request: audit/<request_id>, with
// anything outside [A-Za-z0-9._/-] replaced. A reference that needed
// replacing also gets a short hash of itself, so two references that differ
// only in replaced characters ("PBC 14", "PBC:14") stay two prompts.
func PromptKey(requestID string) string {
	clean := strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/-", r)) {
			return r
		}
		return '-'
	}, requestID)
	if clean != requestID {
		sum := sha256.Sum256([]byte(requestID))
		clean += "-" + hex.EncodeToString(sum[:4])
	}
	return KeyPrefix + clean
}

func controlExceptLayout(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
}

// shorten keeps a quoted value in a message readable.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// CheckDue is the rule for a request's due date at the instant now: not
// already past. A request due in the past would be recorded overdue, its
// prompt expired, with no one able to answer it; ask the auditor for a
// new date instead.
func CheckDue(requestID string, due, now time.Time) error {
	if !due.After(now) {
		return fmt.Errorf("request %s is due %s, which has passed: agree a new due date with the auditor and give that", requestID, due.Format("2006-01-02 15:04 MST"))
	}
	return nil
}
