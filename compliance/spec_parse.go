package compliance

import (
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // specs name IANA zones; do not depend on the host's zoneinfo

	"go.yaml.in/yaml/v3"
)

// MaxSpecBytes bounds a spec file; a real one is a few kilobytes.
const MaxSpecBytes = 1 << 20

// Default versions of each framework the catalogs describe.
const (
	SOC2Version     = "2017-tsc-2022-pof"
	ISO27001Version = "2022"
	PCIDSSVersion   = "4.0.1"
)

// Default escalation ladder, in business days after a prompt is first sent.
var (
	DefaultRemindAfter  = []int{2, 4}
	DefaultLeadAfter    = 5
	DefaultSponsorAfter = 8
	DefaultExpireAfter  = 10
)

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	jiraKeyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,9}$`)
	slackChannel   = regexp.MustCompile(`^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{8,})$`)
	slackUserID    = regexp.MustCompile(`^[UW][A-Z0-9]{8,}$`)
	// controlIDPattern is the control library's ID form: an area prefix and
	// a number (CHG-01).
	controlIDPattern = regexp.MustCompile(`^[A-Z]{2,5}-[0-9]{1,3}$`)
)

// LoadSpec reads and parses a spec file. Errors name the file, line, column
// and field of every problem at once.
func LoadSpec(path string) (*Spec, error) { return loadSpec(path, nil) }

// LoadSpecWith reads and parses a spec file, checking its tailoring against
// the control library (see ParseSpecWith).
func LoadSpecWith(path string, cat ControlCatalog) (*Spec, error) { return loadSpec(path, cat) }

func loadSpec(path string, cat ControlCatalog) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	// A file opened only for reading: closing it cannot lose data.
	defer func() { _ = f.Close() }()
	// Read one byte past the cap and no further: a spec named /dev/zero or
	// a pipe that never ends is refused at the cap, not read to exhaustion.
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read spec %s: %w", path, err)
	}
	return parseSpec(filepath.Base(path), data, cat)
}

// ParseSpec parses and validates a spec. name is used in error positions.
// On error it returns SpecErrors listing every problem, and no spec.
func ParseSpec(name string, data []byte) (*Spec, error) { return parseSpec(name, data, nil) }

func parseSpec(name string, data []byte, cat ControlCatalog) (*Spec, error) {
	if len(data) > MaxSpecBytes {
		return nil, SpecErrors{{File: name, Msg: fmt.Sprintf("file is over %d bytes; a spec may be at most %d", MaxSpecBytes, MaxSpecBytes)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, SpecErrors{syntaxError(name, err)}
	}
	d := newSpecDecoder(name)
	d.cat = cat
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, SpecErrors{{File: name, Msg: "spec is empty"}}
	}
	var s Spec
	d.decode(root.Content[0], reflect.ValueOf(&s).Elem(), "")
	// Semantic checks run even after shape errors, so one pass shows all.
	d.validate(&s)
	if len(d.errs) == 0 && cat != nil {
		// References are looked up only in a spec that parses, so a
		// malformed section is not reported twice.
		for _, p := range cat.SpecRefs(&s) {
			d.errorf(d.at(p.Field), p.Field, "%s", p.Msg)
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	return &s, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(name string, err error) SpecError {
	e := SpecError{File: name, Msg: "invalid YAML: " + err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		_, _ = fmt.Sscan(m[1], &e.Line) // yamlLine captured digits; on a failure Line stays 0 (unknown)
		e.Column = 1
		e.Msg = "invalid YAML: " + m[2]
	}
	return e
}

func (d *specDecoder) validate(s *Spec) {
	d.validating = true
	d.validateHeader(s)
	d.validateFrameworks(s)
	d.validateSystems(s)
	d.validatePeople(s)
	d.validateIntegrations(s)
	d.validateReminders(s)
	d.validateVendors(s)
	d.validateUserEntityControls(s)
	d.validateRisks(s)
	d.validateControlRisk(s)
	d.validateReviewPolicy(s)
	d.validateTailoring(s)
}

func (d *specDecoder) missing(path string) {
	d.errorf(d.at(path), path, "is required")
}

func (d *specDecoder) validateHeader(s *Spec) {
	if strings.TrimSpace(s.Client.Name) == "" {
		d.missing("client.name")
	}
	if s.ID == "" {
		s.ID = Slug(s.Client.Name)
	} else if !idPattern.MatchString(s.ID) {
		d.errorf(d.at("id"), "id", "%q must be 2-63 lowercase letters, digits or dashes", s.ID)
	}
	if s.AuditDate.IsZero() {
		d.missing("audit_date")
	}
}

func (d *specDecoder) validateFrameworks(s *Spec) {
	if len(s.Frameworks) == 0 {
		d.errorf(d.at("frameworks"), "frameworks", "at least one framework is required (one of: %s)", strings.Join(stringsOf(FrameworkIDs), ", "))
		return
	}
	seen := map[FrameworkID]bool{}
	for i := range s.Frameworks {
		f := &s.Frameworks[i]
		p := fmt.Sprintf("frameworks[%d]", i)
		if f.ID == "" {
			d.missing(p + ".id")
			continue
		}
		if seen[f.ID] {
			d.errorf(d.at(p+".id"), p+".id", "framework %q is listed twice", f.ID)
		}
		seen[f.ID] = true
		switch f.ID {
		case SOC2:
			d.validateSOC2(s, f, p)
		case ISO27001:
			d.checkVersion(f, p, ISO27001Version)
			d.validateExclusions(f, p)
			d.onlyFor(f, p, "SOC 2", f.Report != "" || len(f.Categories) > 0 || f.Window != nil || f.Type1Date != nil, "report/categories/window/type1_date")
			d.onlyFor(f, p, "PCI DSS", f.Entity != "" || f.Assessment != "" || f.SAQ != "", "entity/assessment/saq")
		case PCIDSS:
			d.validatePCI(f, p)
		}
	}
}

func (d *specDecoder) checkVersion(f *Framework, p, want string) {
	if f.Version == "" {
		f.Version = want
	} else if f.Version != want {
		d.errorf(d.at(p+".version"), p+".version", "version %q of %s is not supported (Steadfast's catalog is %s)", f.Version, f.ID, want)
	}
}

func (d *specDecoder) onlyFor(f *Framework, p, fw string, present bool, fields string) {
	if present {
		d.errorf(d.at(p), p, "%s applies only to %s, not %s", fields, fw, f.ID)
	}
}

func (d *specDecoder) validateSOC2(s *Spec, f *Framework, p string) {
	d.checkVersion(f, p, SOC2Version)
	d.onlyFor(f, p, "ISO 27001", len(f.Exclusions) > 0, "exclusions")
	d.onlyFor(f, p, "PCI DSS", f.Entity != "" || f.Assessment != "" || f.SAQ != "", "entity/assessment/saq")
	if f.Report == "" {
		d.errorf(d.at(p+".report"), p+".report", "is required (type1 or type2)")
	}
	// Security (the common criteria) is in every SOC 2 report.
	hasSecurity := false
	for _, c := range f.Categories {
		hasSecurity = hasSecurity || c == CategorySecurity
	}
	if !hasSecurity {
		f.Categories = append([]TSCCategory{CategorySecurity}, f.Categories...)
	}
	switch f.Report {
	case Type2:
		if f.Window == nil {
			d.errorf(d.at(p+".window"), p+".window", "a Type II report needs an observation window (start and end)")
			return
		}
		w := f.Window
		if w.Start.IsZero() {
			d.missing(p + ".window.start")
		}
		if w.End.IsZero() {
			d.missing(p + ".window.end")
		}
		if !w.Start.IsZero() && !w.End.IsZero() && !w.Start.Before(w.End) {
			d.errorf(d.at(p+".window.end"), p+".window.end", "window ends %s, not after it starts (%s)", w.End, w.Start)
		}
		if !w.End.IsZero() && !s.AuditDate.IsZero() && s.AuditDate.Before(w.End) {
			d.errorf(d.at("audit_date"), "audit_date", "audit date %s falls before the observation window ends (%s)", s.AuditDate, w.End)
		}
		if f.Type1Date != nil && !w.Start.IsZero() && f.Type1Date.After(w.Start) {
			d.errorf(d.at(p+".type1_date"), p+".type1_date", "the Type I date %s must not be after the Type II window starts (%s)", f.Type1Date, w.Start)
		}
	case Type1:
		if f.Window != nil {
			d.errorf(d.at(p+".window"), p+".window", "a Type I report is at a point in time; remove the window or use report: type2")
		}
	}
}

func (d *specDecoder) validatePCI(f *Framework, p string) {
	d.checkVersion(f, p, PCIDSSVersion)
	d.onlyFor(f, p, "ISO 27001", len(f.Exclusions) > 0, "exclusions")
	d.onlyFor(f, p, "SOC 2", f.Report != "" || len(f.Categories) > 0 || f.Window != nil || f.Type1Date != nil, "report/categories/window/type1_date")
	if f.Entity == "" {
		d.errorf(d.at(p+".entity"), p+".entity", "is required (merchant or service-provider)")
	}
	switch f.Assessment {
	case "":
		d.errorf(d.at(p+".assessment"), p+".assessment", "is required (roc or saq)")
	case ROC:
		if f.SAQ != "" {
			d.errorf(d.at(p+".saq"), p+".saq", "an SAQ type is given but the assessment is a ROC")
		}
	case SAQ:
		switch {
		case f.SAQ == "":
			d.errorf(d.at(p+".saq"), p+".saq", "is required when assessment is saq%s", suggest("", stringsOf(SAQTypes)))
		case f.Entity == ServiceProvider && f.SAQ != SAQDSP:
			d.errorf(d.at(p+".saq"), p+".saq", "a service provider can only self-assess with SAQ D-SP, not %s", f.SAQ)
		case f.Entity == Merchant && f.SAQ == SAQDSP:
			d.errorf(d.at(p+".saq"), p+".saq", "SAQ D-SP is for service providers; merchants use D-Merchant")
		}
	}
}

func (d *specDecoder) validateSystems(s *Spec) {
	byName := map[string]int{}
	pci := s.HasFramework(PCIDSS)
	for i, sys := range s.Systems {
		p := fmt.Sprintf("systems[%d]", i)
		if strings.TrimSpace(sys.Name) == "" {
			d.missing(p + ".name")
		} else if j, dup := byName[sys.Name]; dup {
			d.errorf(d.at(p+".name"), p+".name", "system %q is already defined at systems[%d]", sys.Name, j)
		} else {
			byName[sys.Name] = i
		}
		if sys.Kind == "" {
			d.errorf(d.at(p+".kind"), p+".kind", "is required%s", suggest("", stringsOf(SystemKinds)))
		}
		if sys.Environment == "" {
			d.errorf(d.at(p+".environment"), p+".environment", "is required%s", suggest("", stringsOf(Environments)))
		}
		if len(sys.Data) == 0 {
			d.errorf(d.at(p+".data"), p+".data", "is required: list the data classes it holds, or none")
		} else if sys.Holds(DataNone) && len(sys.Data) > 1 {
			d.errorf(d.at(p+".data"), p+".data", "\"none\" cannot be combined with other data classes")
		}
		switch sys.Scope {
		case "":
			d.errorf(d.at(p+".scope"), p+".scope", "is required (in or excluded)")
		case ScopeExcluded:
			if strings.TrimSpace(sys.Rationale) == "" {
				d.errorf(d.at(p+".rationale"), p+".rationale", "an excluded system needs a rationale the auditor can read")
			}
		}
		if !pci && (sys.CDE || len(sys.CardholderFlow) > 0) {
			d.errorf(d.at(p), p, "cde/cardholder_flow are PCI DSS fields but pci-dss is not among the frameworks")
		}
	}
	for i, sys := range s.Systems {
		for _, c := range sys.ConnectedTo {
			p := fmt.Sprintf("systems[%d].connected_to", i)
			if _, ok := byName[c]; !ok {
				d.errorf(d.at(p), p, "unknown system %q%s", c, suggest(c, keys(byName)))
			} else if c == sys.Name {
				d.errorf(d.at(p), p, "a system cannot be connected to itself")
			}
		}
		for _, c := range sys.CopiesOf {
			p := fmt.Sprintf("systems[%d].copies_of", i)
			if _, ok := byName[c]; !ok {
				d.errorf(d.at(p), p, "unknown system %q%s", c, suggest(c, keys(byName)))
			} else if c == sys.Name {
				d.errorf(d.at(p), p, "a system cannot hold copies of itself")
			}
		}
	}
}

func (d *specDecoder) validatePeople(s *Spec) {
	emails := map[string]int{}
	slackIDs := map[string]int{}
	leads := 0
	for i := range s.People {
		per := &s.People[i]
		p := fmt.Sprintf("people[%d]", i)
		if strings.TrimSpace(per.Name) == "" {
			d.missing(p + ".name")
		}
		switch addr, err := mail.ParseAddress(per.Email); {
		case per.Email == "":
			d.missing(p + ".email")
		case err != nil || addr.Address != per.Email:
			d.errorf(d.at(p+".email"), p+".email", "%q is not a plain email address", per.Email)
		default:
			key := strings.ToLower(per.Email)
			if j, dup := emails[key]; dup {
				d.errorf(d.at(p+".email"), p+".email", "%s is already used by people[%d]", per.Email, j)
			}
			emails[key] = i
		}
		if per.SlackID != "" && !slackUserID.MatchString(per.SlackID) {
			d.errorf(d.at(p+".slack_id"), p+".slack_id", "%q is not a Slack user ID (like U012AB3CD)", per.SlackID)
		} else if per.SlackID != "" {
			// One Slack user is one person: a click from that user must
			// name exactly one of them, not whichever row comes first.
			if j, dup := slackIDs[per.SlackID]; dup {
				d.errorf(d.at(p+".slack_id"), p+".slack_id", "%s is already the Slack user of people[%d] (%s); one Slack user is one person", per.SlackID, j, s.People[j].Email)
			} else {
				slackIDs[per.SlackID] = i
			}
		}
		if len(per.Roles) == 0 {
			d.errorf(d.at(p+".roles"), p+".roles", "at least one role is required%s", suggest("", stringsOf(Roles)))
		}
		if per.HasRole(RoleLead) {
			leads++
		}
		if len(per.Owns) > 0 && !per.HasRole(RoleControlOwner) {
			d.errorf(d.at(p+".owns"), p+".owns", "owns control areas but does not have the control-owner role")
		}
		if per.HasRole(RoleControlOwner) && len(per.Owns) == 0 {
			d.errorf(d.at(p+".owns"), p+".owns", "a control owner must own at least one control area")
		}
		if per.TimeZone != "" {
			if _, err := time.LoadLocation(per.TimeZone); err != nil {
				d.errorf(d.at(p+".time_zone"), p+".time_zone", "unknown time zone %q (use an IANA name like Europe/London)", per.TimeZone)
			}
		}
	}
	if leads == 0 {
		d.errorf(d.at("people"), "people", "no one has the lead role; the scope needs a lead to sign it off")
	}
}

func (d *specDecoder) validateIntegrations(s *Spec) {
	in := s.Integrations
	if in.JiraProject != "" && !jiraKeyPattern.MatchString(in.JiraProject) {
		d.errorf(d.at("integrations.jira_project"), "integrations.jira_project", "%q is not a Jira project key (uppercase, like SEC)", in.JiraProject)
	}
	if in.SlackChannel != "" && !slackChannel.MatchString(in.SlackChannel) {
		d.errorf(d.at("integrations.slack_channel"), "integrations.slack_channel", "%q is not a channel name (#name) or ID (C…)", in.SlackChannel)
	}
	d.validatePopulations(in.Populations)
}

// maxJQL bounds a population's JQL: it travels in a URL query string, and a
// real one is a line or two.
const maxJQL = 2000

// validatePopulations checks what the spec alone can show. Whether the
// control exists and is per-event needs the control library, which sits
// above this package; the import checks that and names the same field.
func (d *specDecoder) validatePopulations(ps []Population) {
	seen := map[string]int{}
	for i, pop := range ps {
		p := fmt.Sprintf("integrations.populations[%d]", i)
		switch {
		case pop.Control == "":
			d.missing(p + ".control")
		case !controlIDPattern.MatchString(pop.Control):
			d.errorf(d.at(p+".control"), p+".control", "%q is not a control ID (like CHG-01)", pop.Control)
		default:
			if j, dup := seen[pop.Control]; dup {
				d.errorf(d.at(p+".control"), p+".control", "%s already has a population at integrations.populations[%d]", pop.Control, j)
			}
			seen[pop.Control] = i
		}
		switch jql := strings.TrimSpace(pop.JQL); {
		case jql == "":
			d.errorf(d.at(p+".jql"), p+".jql", "is required: the Jira search whose issues are %s's events", pop.Control)
		case len(jql) > maxJQL:
			d.errorf(d.at(p+".jql"), p+".jql", "is %d characters; a population's JQL may be at most %d", len(jql), maxJQL)
		case strings.ContainsRune(jql, 0):
			d.errorf(d.at(p+".jql"), p+".jql", "contains a NUL character")
		}
		if strings.TrimSpace(pop.ApprovedStatus) != pop.ApprovedStatus || strings.ContainsAny(pop.ApprovedStatus, "\r\n\x00") {
			d.errorf(d.at(p+".approved_status"), p+".approved_status", "%q is not a Jira status name", pop.ApprovedStatus)
		}
	}
}

func (d *specDecoder) validateReminders(s *Spec) {
	r := &s.Reminders
	const p = "reminders"
	if r.TimeZone == "" {
		d.errorf(d.at(p+".time_zone"), p+".time_zone", "is required (an IANA zone like Europe/London)")
	} else if _, err := time.LoadLocation(r.TimeZone); err != nil {
		d.errorf(d.at(p+".time_zone"), p+".time_zone", "unknown time zone %q (use an IANA name like Europe/London)", r.TimeZone)
	}
	if len(r.BusinessDays) == 0 {
		r.BusinessDays = append([]Weekday(nil), DefaultBusinessDays...)
	}
	if r.RemindAfter == nil {
		r.RemindAfter = append([]int(nil), DefaultRemindAfter...)
	}
	if r.LeadAfter == 0 {
		r.LeadAfter = DefaultLeadAfter
	}
	if r.SponsorAfter == 0 {
		r.SponsorAfter = DefaultSponsorAfter
	}
	if r.ExpireAfter == 0 {
		r.ExpireAfter = DefaultExpireAfter
	}
	last := 0
	for _, n := range r.RemindAfter {
		if n <= last {
			d.errorf(d.at(p+".remind_after"), p+".remind_after", "reminders must be increasing positive business-day counts")
			break
		}
		last = n
	}
	if !(last < r.LeadAfter && r.LeadAfter < r.SponsorAfter && r.SponsorAfter < r.ExpireAfter) {
		d.errorf(d.at(p), p, "the ladder must climb: remind_after < lead_after (%d) < sponsor_after (%d) < expire_after (%d)", r.LeadAfter, r.SponsorAfter, r.ExpireAfter)
	}
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Slug turns a client name into an engagement ID: "Acme Analytics Ltd" → "acme-analytics-ltd".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 63 {
		out = strings.TrimSuffix(out[:63], "-")
	}
	return out
}

// IsSpecError reports whether err came from spec validation (a user error,
// not a system fault).
func IsSpecError(err error) bool {
	var es SpecErrors
	return errors.As(err, &es)
}
