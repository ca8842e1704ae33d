// Package custreview is a customer's security review of the client: a
// questionnaire whose questions are routed to the owners of the controls
// they map to, answered by those owners, approved by the lead before
// release, and kept as a library of approved answers for later questions
// on the same controls. It is pure: the file formats live in
// internal/questionnaire, the workflow and the store do the rest.
package custreview

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// MaxQuestions bounds one questionnaire: the longest industry
// questionnaires run to a few hundred questions.
const MaxQuestions = 2000

// MaxTotal bounds the questions' text together: it travels in one
// workflow update, whose payload Temporal limits.
const MaxTotal = 1 << 20

// MaxText bounds a question or an answer.
const MaxText = 8000

// Question is one question as the customer sent it.
type Question struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Ref is the control, criterion or section it names; may be empty.
	Ref string `json:"ref,omitempty"`
	// Where is the line (CSV) or the row (XLSX) it came from.
	Where string `json:"where,omitempty"`
}

// Routed is a question with the controls and owner it goes to; Owner is
// empty for a question the lead must triage.
type Routed struct {
	Question
	Controls []string `json:"controls,omitempty"`
	Owner    string   `json:"owner,omitempty"`
	// Context is what the owner is given beside the question: for a
	// follow-up on an exception, its description and management's response.
	Context string `json:"context,omitempty"`
}

// Unmapped reports whether the lead must map it to a control.
func (r Routed) Unmapped() bool { return r.Owner == "" }

// Route maps each question to the applicable controls its reference names
// and to the owner of the first of them; a question naming nothing the
// engagement runs goes to the lead's triage list.
func Route(spec *compliance.Spec, app *catalog.Applicability, lib *catalog.Library, qs []Question) []Routed {
	out := make([]Routed, 0, len(qs))
	for _, q := range qs {
		r := Routed{Question: q}
		r.Controls, r.Owner = OwnerOf(spec, app, lib, q.Ref)
		out = append(out, r)
	}
	return out
}

// OwnerOf resolves a reference to its controls and the owner who answers.
func OwnerOf(spec *compliance.Spec, app *catalog.Applicability, lib *catalog.Library, ref string) ([]string, string) {
	ctrls := report.ControlsOf(spec, app, lib, ref)
	if len(ctrls) == 0 {
		return nil, ""
	}
	ac := app.Control(ctrls[0])
	return ctrls, strings.ToLower(spec.OwnerOfControl(ac.Control.ID, ac.Control.Domain).Email)
}

// ReviewID is a review's key within the engagement: the customer's name
// as a slug and the due date, so one customer's two reviews differ.
func ReviewID(customer string, due compliance.Date) string {
	return compliance.Slug(customer) + "-" + due.String()
}

// CheckImport refuses a review that cannot be worked: no customer, a due
// date not after today, no questions, too many, or a question ID twice.
func CheckImport(customer string, due, today compliance.Date, qs []Question) error {
	switch {
	case strings.TrimSpace(customer) == "" || compliance.Slug(customer) == "":
		return fmt.Errorf("the customer's name is required (--customer)")
	case due.IsZero():
		return fmt.Errorf("the due date is required (--due)")
	case !due.After(today):
		return fmt.Errorf("the review is due %s, not after today (%s)", due, today)
	case len(qs) == 0:
		return fmt.Errorf("the questionnaire has no questions")
	case len(qs) > MaxQuestions:
		return fmt.Errorf("the questionnaire has %d questions; at most %d are taken", len(qs), MaxQuestions)
	}
	seen := map[string]bool{}
	total := 0
	for _, q := range qs {
		total += len(q.ID) + len(q.Text) + len(q.Ref)
		if total > MaxTotal {
			return fmt.Errorf("the questionnaire holds more than %d bytes of questions; split it", MaxTotal)
		}
		if seen[q.ID] {
			return fmt.Errorf("question %s appears twice", q.ID)
		}
		seen[q.ID] = true
		if strings.TrimSpace(q.ID) == "" || strings.TrimSpace(q.Text) == "" || len(q.Text) > MaxText {
			return fmt.Errorf("question %q is not a question", q.ID)
		}
	}
	return nil
}

// Question statuses.
const (
	StatusUnmapped = "unmapped"
	StatusRouted   = "routed"
	StatusAnswered = "answered"
	StatusApproved = "approved"
	// StatusUnanswered: the owner's prompt ran its ladder out.
	StatusUnanswered = "unanswered"
	// StatusReturned: the lead returned the owner's answer with a reason;
	// the owner is asked again, and their new answer is answered again.
	StatusReturned = "returned"
)

// Statuses lists every status.
var Statuses = []string{StatusUnmapped, StatusRouted, StatusAnswered, StatusApproved, StatusUnanswered, StatusReturned}

// MayImport reports whether email may import a customer's review: the
// people who run the engagement.
func MayImport(spec *compliance.Spec, email string) error {
	if !spec.MayRun(email) {
		return fmt.Errorf("%s may not import a customer review: only the lead, a lead delegate or the consultant", email)
	}
	return nil
}

// MayTriage reports whether email may map an unmapped question to a
// control, or approve an answer for release: the lead or a delegate.
func MayTriage(spec *compliance.Spec, email string) error {
	if !spec.MayDecide(email) {
		return fmt.Errorf("%s may not triage or approve customer answers: only the lead or a lead delegate", email)
	}
	return nil
}

// CheckReturn reports whether email may return question id's answer,
// now in status, to its owner with reason: the lead or a delegate (as
// MayTriage), an answer given and not yet approved (an approved answer
// may already be with the customer; an answer already returned waits on
// its owner), and a reason the owner can act on, bounded as an answer is.
func CheckReturn(spec *compliance.Spec, email, id, status, reason string) error {
	if !spec.MayDecide(email) {
		return fmt.Errorf("%s may not return customer answers: only the lead or a lead delegate", email)
	}
	switch status {
	case StatusAnswered:
	case StatusApproved:
		return fmt.Errorf("question %s's answer is already approved; an approved answer is not returned", id)
	case StatusReturned:
		return fmt.Errorf("question %s's answer is already returned to its owner; wait for their new answer", id)
	default:
		return fmt.Errorf("question %s has no answer to return (it is %s)", id, status)
	}
	switch r := strings.TrimSpace(reason); {
	case r == "":
		return fmt.Errorf("say why the answer goes back: its owner reads the reason with the question")
	case len(r) > MaxText:
		return fmt.Errorf("the reason runs to %d bytes; at most %d are taken", len(r), MaxText)
	}
	return nil
}

// Suggestion is an approved answer from the library offered for a new
// question on the same control: offered, never sent by itself.
type Suggestion struct {
	ReviewID   string    `json:"review_id"`
	QuestionID string    `json:"question_id"`
	Question   string    `json:"question"`
	Answer     string    `json:"answer"`
	Evidence   string    `json:"evidence,omitempty"`
	Controls   []string  `json:"controls"`
	ApprovedBy string    `json:"approved_by"`
	ApprovedAt time.Time `json:"approved_at"`
}

// Relevant keeps the suggestions sharing a control with controls, newest
// approval first, at most n.
func Relevant(lib []Suggestion, controls []string, n int) []Suggestion {
	var out []Suggestion
	for _, s := range lib {
		for _, c := range s.Controls {
			if slices.Contains(controls, c) {
				out = append(out, s)
				break
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return b.ApprovedAt.Compare(a.ApprovedAt) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Change is one step of a question's life: its prompt sent, the
// lead mapping it, the owner's answer (or its expiry), the lead returning
// the answer to its owner, the lead's approval.
type Change struct {
	EngagementID, ReviewID, QuestionID string
	// Exactly one of these is set.
	PromptID   string
	Map        *Mapping
	Answer     *Answer
	Unanswered bool
	Returned   *Return `json:",omitempty"`
	ApprovedBy string
	At         time.Time
	// Key is the update or workflow step making the change.
	Key string
}

// Mapping is the lead's mapping of an unmapped question.
type Mapping struct {
	Controls []string
	Owner    string
	By       string
}

// Answer is the owner's answer.
type Answer struct {
	Text, Evidence, By string
}

// Return is the lead returning an owner's answer, with the reason the
// owner reads beside the question when asked again.
type Return struct {
	Reason, By string
}

// ExceptionRef reads a reference to an exception of the issued report
// ("EXC-2", "exception:2"); ok is false for anything else.
func ExceptionRef(ref string) (n int, ok bool) {
	r := strings.ToLower(strings.TrimSpace(ref))
	for _, p := range []string{"exc-", "exception:", "exception-"} {
		if rest, found := strings.CutPrefix(r, p); found {
			if _, err := fmt.Sscanf(rest, "%d", &n); err == nil && n > 0 && fmt.Sprint(n) == rest {
				return n, true
			}
		}
	}
	return 0, false
}

// RouteFollowUps sends each question about an exception of the issued
// report to that exception's owner, with the auditor's description and
// management's response attached for them to answer from.
func RouteFollowUps(routed []Routed, which string, exceptions []report.Exception) []Routed {
	for i, q := range routed {
		n, ok := ExceptionRef(q.Ref)
		if !ok {
			continue
		}
		for _, e := range exceptions {
			if e.N == n && len(e.Owners) > 0 {
				routed[i].Controls, routed[i].Owner = e.Controls, e.Owners[0]
				routed[i].Context = fmt.Sprintf("A follow-up on exception %d of the %s report (%s): %s Management's response: %s",
					e.N, which, e.Ref, e.Description, e.ManagementResponse)
			}
		}
	}
	return routed
}

// Background is what an owner sees beside a question on a control: their
// approved explanation of it and its latest evidence, when there are any.
type Background struct {
	Explanation string
	Evidence    string
}

// AddBackground appends each routed question's first control's background
// to its context.
func AddBackground(routed []Routed, bg map[string]Background) []Routed {
	for i, q := range routed {
		if len(q.Controls) == 0 {
			continue
		}
		c := q.Controls[0]
		b, ok := bg[c]
		if !ok {
			continue
		}
		var parts []string
		if q.Context != "" {
			parts = append(parts, q.Context)
		}
		if b.Explanation != "" {
			parts = append(parts, fmt.Sprintf("Your approved explanation of %s: %s", c, b.Explanation))
		}
		if b.Evidence != "" {
			parts = append(parts, fmt.Sprintf("Latest evidence of %s: %s.", c, b.Evidence))
		}
		routed[i].Context = strings.Join(parts, " ")
	}
	return routed
}
