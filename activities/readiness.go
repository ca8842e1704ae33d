package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// RunReadinessInput runs one readiness review as of an instant.
type RunReadinessInput struct {
	EngagementID string
	ReviewID     string
	AsOf         time.Time
}

// ReadinessFinding is what the workflow needs of a finding to ask about it.
type ReadinessFinding struct {
	FindingID     string
	Rank          int
	ControlID     string
	Title         string
	Owner         string
	OccurrenceKey string
	Exception     string
	Severity      string
}

// RunReadinessResult lists the review's findings, ranked.
type RunReadinessResult struct {
	Seed     uint64
	Sampled  int
	Findings []ReadinessFinding
}

// ReviewSeed is a review's recorded seed: derived from the engagement and
// the review so that a retried activity draws the same sample, and printed
// with the report so anyone can repeat the draw.
func ReviewSeed(engagementID, reviewID string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(engagementID + "/readiness/" + reviewID))
	return h.Sum64()
}

// FindingID names a finding stably (postgres.FindingID): the same
// deviation found by a later review keeps its ID, and with it the lead's
// decision.
func FindingID(f readiness.Finding) string {
	return postgres.FindingID(f.ControlID, f.OccurrenceKey, string(f.Test))
}

// RunReadinessReview draws and tests the auditor's sample as of AsOf and
// stores the review with its seed and findings. Storing is idempotent, so a
// retry after a lost response changes nothing.
func (a *Activities) RunReadinessReview(ctx context.Context, in RunReadinessInput) (RunReadinessResult, error) {
	seed := ReviewSeed(in.EngagementID, in.ReviewID)
	rep, err := reports.BuildReadiness(ctx, a.Store, in.EngagementID, in.AsOf, seed)
	if errors.Is(err, postgres.ErrNotFound) {
		return RunReadinessResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("readiness review: engagement %s is not recorded", in.EngagementID), ErrTypeBadInput, err)
	}
	if err != nil {
		return RunReadinessResult{}, fmt.Errorf("readiness review of %s: %w", in.EngagementID, err)
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return RunReadinessResult{}, fmt.Errorf("encode readiness review of %s: %w", in.EngagementID, err)
	}
	res := RunReadinessResult{Seed: seed, Sampled: rep.Sampled}
	var rows []postgres.Finding
	for _, f := range rep.Findings {
		id := FindingID(f)
		res.Findings = append(res.Findings, ReadinessFinding{FindingID: id, Rank: f.Rank, ControlID: f.ControlID, Title: f.Title,
			Owner: f.Owner, OccurrenceKey: f.OccurrenceKey, Exception: f.Exception, Severity: string(f.Severity)})
		rows = append(rows, postgres.Finding{EngagementID: in.EngagementID, ReviewID: in.ReviewID, FindingID: id, ControlID: f.ControlID,
			OccurrenceKey: f.OccurrenceKey, Test: string(f.Test), Severity: string(f.Severity), Exception: f.Exception, Rank: f.Rank})
	}
	err = a.Store.SaveReadinessReview(ctx, postgres.ReadinessReview{EngagementID: in.EngagementID, ReviewID: in.ReviewID,
		AsOf: in.AsOf, Seed: seed, Risk: string(rep.Risk), Report: body, Findings: rows})
	if err != nil {
		return RunReadinessResult{}, fmt.Errorf("store readiness review %s of %s: %w", in.ReviewID, in.EngagementID, err)
	}
	return res, nil
}

// DecideFindingInput is the lead's decision on one finding.
type DecideFindingInput struct {
	EngagementID, FindingID, Decision, Reason, By string
	At                                            time.Time
	// Key is the answer's update ID: a retry records one decision.
	Key string
}

// DecideFinding records the lead's fix-or-accept decision.
func (a *Activities) DecideFinding(ctx context.Context, in DecideFindingInput) error {
	if err := compliance.CheckFindingDecision(in.Decision, in.Reason); err != nil {
		return nonRetryable(ErrTypeBadInput, fmt.Errorf("record decision on finding %s: %w", in.FindingID, err))
	}
	err := a.Store.DecideFinding(ctx, postgres.FindingDecision{EngagementID: in.EngagementID, FindingID: in.FindingID,
		Decision: in.Decision, Reason: in.Reason, By: in.By, At: in.At, Key: in.Key})
	if err != nil {
		return classify(fmt.Errorf("record decision on finding %s: %w", in.FindingID, err))
	}
	return nil
}

// OpenFindingFixInput opens the work to fix a finding.
type OpenFindingFixInput struct {
	EngagementID string
	ReviewID     string
	Finding      ReadinessFinding
	Due          time.Time
	JiraProject  string
}

// OpenFindingFixResult names the ticket, when Jira is configured.
type OpenFindingFixResult struct {
	TicketKey string
	// JiraError is Jira's refusal, kept for the lead; the fix is still
	// chased through the owner's prompt.
	JiraError string
}

// FindingLabel is the unique label of a finding's ticket (apart from the
// control's remediation ticket, which carries TicketLabel).
// Jira labels take no '/', which finding IDs use between their parts.
func FindingLabel(engagementID, findingID string) string {
	return strings.ToLower("steadfast-" + engagementID + "-finding-" + strings.ReplaceAll(findingID, "/", "."))
}

// OpenFindingFix opens the finding's Jira ticket exactly once (found by its
// label on a retry) and records it against the finding.
func (a *Activities) OpenFindingFix(ctx context.Context, in OpenFindingFixInput) (OpenFindingFixResult, error) {
	var res OpenFindingFixResult
	if in.JiraProject != "" && a.Jira != nil {
		f := in.Finding
		key, err := a.openTicket(ctx, OpenRemediationInput{
			EngagementID: in.EngagementID, ControlID: f.ControlID, ItemID: in.ReviewID + "/" + f.FindingID, Rank: f.Rank,
			Title: "Readiness finding: " + f.Title, Owner: f.Owner, Due: in.Due, JiraProject: in.JiraProject,
			Gap: RegisterEntry{ControlID: f.ControlID, Title: f.Title, Rank: f.Rank, Owner: f.Owner, Status: "finding",
				Description: f.Exception, Reasons: []string{"found by readiness review " + in.ReviewID + " in occurrence " + f.OccurrenceKey}},
		}, FindingLabel(in.EngagementID, f.FindingID))
		var appErr *temporal.ApplicationError
		switch {
		case errors.As(err, &appErr) && appErr.Type() == ErrTypeJiraPermanent:
			res.JiraError = appErr.Message()
		case err != nil:
			return OpenFindingFixResult{}, err
		}
		res.TicketKey = key
	}
	item := res.TicketKey
	if item == "" {
		item = "prompt:" + in.ReviewID + "/" + in.Finding.FindingID
	}
	if err := a.Store.SetFindingRemediation(ctx, in.EngagementID, in.Finding.FindingID, item); err != nil {
		return OpenFindingFixResult{}, fmt.Errorf("record the fix of %s: %w", in.Finding.FindingID, err)
	}
	return res, nil
}

// ResolveFindingInput is the owner's evidence that a finding is fixed.
type ResolveFindingInput struct {
	EngagementID, FindingID, Evidence, By, TicketKey string
	At                                               time.Time
}

// ResolveFinding records the fix's evidence on the finding.
func (a *Activities) ResolveFinding(ctx context.Context, in ResolveFindingInput) error {
	if err := a.Store.ResolveFinding(ctx, in.EngagementID, in.FindingID, in.Evidence, in.By, in.At); err != nil {
		return classify(fmt.Errorf("record the fix of finding %s: %w", in.FindingID, err))
	}
	return nil
}
