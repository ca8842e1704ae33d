package engagement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// The occurrence page behind a heat-map cell: one control's occurrences
// in one period (an occurrence's own label, e.g. 2027-Q1 or 2027-W14) or
// in one month of the heat map (YYYY-MM, where a weekly control has four
// or five), each with its window, deadline, the one judgement every
// report shares, the evidence given (who, when, through which channel)
// and whether today's draw samples it.

// OccurrenceRequest names a control's period in an engagement, for a
// viewer whose access the web has worked out.
type OccurrenceRequest struct {
	EngagementID string
	ControlID    string
	// Label is an occurrence's period label or a heat-map month (YYYY-MM).
	Label  string
	Viewer string
	// MayView is the engagement page's access (lead, delegate,
	// consultant, sponsor): every control. Anyone else sees only the
	// controls they own and occurrences reassigned to them.
	MayView bool
}

// OccurrenceView is the page.
type OccurrenceView struct {
	Summary   postgres.EngagementSummary
	ControlID string
	Title     string
	Frequency compliance.Frequency
	Owner     string
	Label     string
	Window    compliance.Span
	AsOf      time.Time
	// Occurrences are in schedule order; empty when nothing of the
	// control falls in the label's period.
	Occurrences []OccurrenceDetail
}

// OccurrenceDetail is one occurrence.
type OccurrenceDetail struct {
	Key       string
	Period    compliance.Span
	Due       time.Time
	GraceEnd  time.Time
	Judgement drift.Judgement
	// AskedOf is who the occurrence's prompt is addressed to ("" before
	// it was asked).
	AskedOf string
	// Evidence is every row given for it, corrections included, oldest
	// first; Counting is the ID of the row its timing is judged on.
	Evidence []postgres.Evidence
	Counting int64
	// Sample is set when today's draw (the auditor's room's) samples it.
	Sample *readiness.Sampled
	// Findings are the recorded readiness review's findings on it.
	Findings []postgres.Finding
}

// OccurrencePage reads the occurrences of a control in a period, or
// ErrNoAccess when the viewer may not see that control.
func (s *Service) OccurrencePage(ctx context.Context, req OccurrenceRequest) (OccurrenceView, error) {
	st, err := s.store()
	if err != nil {
		return OccurrenceView{}, err
	}
	v := OccurrenceView{ControlID: req.ControlID, Label: req.Label}
	spec, plan, err := st.SpecAndPlan(ctx, req.EngagementID)
	if err != nil {
		return v, err
	}
	app, err := catalog.Default().ForSpec(&spec)
	if err != nil {
		return v, fmt.Errorf("applicable controls of %s: %w", req.EngagementID, err)
	}
	ac := app.Control(req.ControlID)
	if ac == nil {
		return v, ErrNoAccess // not a control of this engagement: the same words as not yours
	}
	v.Title, v.Frequency = ac.Control.Title, ac.Control.Frequency
	v.Owner = strings.ToLower(spec.OwnerOfControl(ac.Control.ID, ac.Control.Domain).Email)
	prompts, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: req.EngagementID})
	if err != nil {
		return v, err
	}
	assigned := reports.Assigned(prompts)
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return v, fmt.Errorf("calendar of %s: %w", req.EngagementID, err)
	}
	if v.Window, err = cadence.Window(&spec, plan); err != nil {
		return v, err
	}
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: req.ControlID, Frequency: v.Frequency, Window: v.Window, Calendar: cal})
	if err != nil {
		return v, fmt.Errorf("schedule %s: %w", req.ControlID, err)
	}
	occs = slices.DeleteFunc(occs, func(o cadence.Occurrence) bool { return !inLabel(o, req.Label) })
	viewer := strings.ToLower(strings.TrimSpace(req.Viewer))
	if !req.MayView && viewer != v.Owner {
		// Not the owner: only occurrences reassigned to the viewer.
		occs = slices.DeleteFunc(occs, func(o cadence.Occurrence) bool { return assigned[o.Key()] != viewer })
		if len(occs) == 0 {
			return v, ErrNoAccess
		}
	}
	if v.Summary, err = st.Engagement(ctx, req.EngagementID); err != nil {
		return v, err
	}
	now := s.now()
	v.AsOf = now.In(cal.Location)
	evidence, err := st.EvidenceFor(ctx, req.EngagementID)
	if err != nil {
		return v, err
	}
	first := drift.FirstByKey(reports.JudgedSubmissions(&spec, evidence, assigned), now)
	review, err := ReviewAsOf(ctx, st, ReadinessRequest{EngagementID: req.EngagementID}, now)
	if err != nil {
		return v, err
	}
	findings, err := st.ReadinessFindings(ctx, req.EngagementID)
	if err != nil {
		return v, err
	}
	for _, o := range occs {
		d := OccurrenceDetail{Key: o.Key(), Period: o.Period, Due: o.Due.In(cal.Location), GraceEnd: o.GraceEnd.In(cal.Location), AskedOf: assigned[o.Key()]}
		var sub *drift.Submission
		if fs, ok := first[d.Key]; ok {
			sub = &fs
		}
		d.Judgement = drift.Judge(o, sub, now, v.Window)
		for _, e := range evidence {
			if e.OccurrenceKey == d.Key && e.ControlID == req.ControlID && !e.SubmittedAt.After(now) {
				d.Evidence = append(d.Evidence, e)
				if sub != nil && d.Counting == 0 && e.Corrects == nil && e.SubmittedAt.Equal(sub.At) && e.SubmittedBy == sub.By {
					d.Counting = e.ID
				}
			}
		}
		for _, c := range review.Controls {
			for i := range c.Sample {
				if c.ID == req.ControlID && c.Sample[i].OccurrenceKey == d.Key {
					d.Sample = &c.Sample[i]
				}
			}
		}
		for _, f := range findings {
			if f.ControlID == req.ControlID && f.OccurrenceKey == d.Key {
				d.Findings = append(d.Findings, f)
			}
		}
		v.Occurrences = append(v.Occurrences, d)
	}
	return v, nil
}

// inLabel: the occurrence's own period label, or the heat-map month its
// period ends in (drift.Coverage's rule: each occurrence in one month).
func inLabel(o cadence.Occurrence, label string) bool {
	if _, period, err := cadence.ParseKey(o.Key()); err == nil && period == label {
		return true
	}
	return fmt.Sprintf("%04d-%02d", o.Period.End.Year, int(o.Period.End.Month)) == label
}

// OccurrenceFileRequest asks for one evidence file of an occurrence the
// viewer may see.
type OccurrenceFileRequest struct {
	OccurrenceRequest
	EvidenceID int64
}

// OccurrenceFile returns a file evidence row of the occurrence and its
// bytes from the blob store; the caller closes them. Evidence of another
// occurrence, control or engagement is ErrNoAccess.
func (s *Service) OccurrenceFile(ctx context.Context, req OccurrenceFileRequest) (postgres.Evidence, io.ReadCloser, error) {
	v, err := s.OccurrencePage(ctx, req.OccurrenceRequest)
	if err != nil {
		return postgres.Evidence{}, nil, err
	}
	for _, o := range v.Occurrences {
		for _, e := range o.Evidence {
			if e.ID != req.EvidenceID {
				continue
			}
			if e.ArtifactSHA256 == "" {
				return e, nil, errors.Join(ErrNoAccess, errors.New("this evidence is a link, not a stored file"))
			}
			bs, err := s.blobs(ctx)
			if err != nil {
				return e, nil, err
			}
			r, err := bs.Open(ctx, e.ArtifactSHA256)
			if err != nil {
				return e, nil, fmt.Errorf("open evidence %d of %s: %w", e.ID, req.EngagementID, err)
			}
			return e, r, nil
		}
	}
	return postgres.Evidence{}, nil, ErrNoAccess
}
