package workflows

import (
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// RecordReportRequest is the issued report of a recorded certification: the
// auditor's opinion, its exceptions as the report lists them, and its file
// (already in the evidence store).
type RecordReportRequest struct {
	Framework  compliance.FrameworkID
	Date       compliance.Date
	Opinion    report.Opinion
	Exceptions []report.ExceptionInput
	File       *compliance.Artifact `json:",omitempty"`
	Actor      compliance.Actor     `json:",omitzero"`
}

// ActorOf names who records it, for the identity interceptor.
func (r RecordReportRequest) ActorOf() compliance.Actor { return r.Actor }

// RecordReportResult is the report as recorded and the workflow that asks
// its owners to read it.
type RecordReportResult struct {
	Report            report.Report
	Readers           int
	ReadingWorkflowID string
}

// registerRecordReport lets whoever may record the certification record
// what its report says. Registering a handler adds no command, so
// histories recorded before it replay unchanged; the work after the record
// runs in a workflow type of its own (ReportReading).
func registerRecordReport(ctx workflow.Context, st *EngagementState) error {
	recorded := map[string]bool{}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateRecordReport,
		func(ctx workflow.Context, req RecordReportRequest) (RecordReportResult, error) {
			by, _ := recordedAs(req.Actor, "", "")
			key := report.Key{EngagementID: st.EngagementID, Framework: req.Framework, Date: req.Date}
			cert, _ := certificationOf(st, req.Framework, req.Date)
			var rec activities.RecordReportResult
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordReport, activities.RecordReportInput{
				Key: key, Spec: st.Spec, Opinion: req.Opinion, Period: cert.ReportPeriod, Exceptions: req.Exceptions, File: req.File,
				By: by, At: workflow.Now(ctx),
			}).Get(ctx, &rec)
			if err != nil {
				return RecordReportResult{}, err
			}
			recorded[key.String()] = true
			id := ReportReadingWorkflowID(st.EngagementID, key)
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: id, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
				// The owners' reading outlives the engagement's run: the
				// engagement continues as new for years meanwhile.
				ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
			})
			child := workflow.ExecuteChildWorkflow(cctx, ReportReadingWorkflowName, ReportReadingInput{
				Key: key, Spec: st.Spec, Report: rec.Report, Readings: rec.Readings,
			})
			if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
				return RecordReportResult{}, fmt.Errorf("start the owners' reading of %s: %w", key, err)
			}
			return RecordReportResult{Report: rec.Report, Readers: len(rec.Readings), ReadingWorkflowID: id}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req RecordReportRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if err := report.MayRecord(&st.Spec, by); err != nil {
				return err
			}
			if _, ok := certificationOf(st, req.Framework, req.Date); !ok {
				return fmt.Errorf("no %s certification on %s is recorded: record it first (starter certified)", req.Framework, req.Date)
			}
			key := report.Key{EngagementID: st.EngagementID, Framework: req.Framework, Date: req.Date}
			if recorded[key.String()] {
				return fmt.Errorf("the %s report of %s is already recorded", req.Framework, req.Date)
			}
			if err := report.CheckOpinion(req.Opinion, len(req.Exceptions)); err != nil {
				return err
			}
			if req.File != nil {
				if err := req.File.Check(); err != nil {
					return fmt.Errorf("the report's file: %w", err)
				}
			}
			return checkExceptionRefs(&st.Spec, req.Exceptions)
		}})
}

// checkExceptionRefs refuses exceptions naming nothing in scope, before
// anything is recorded (the activity classifies them again with what the
// lead accepted).
func checkExceptionRefs(spec *compliance.Spec, in []report.ExceptionInput) error {
	lib := catalog.Default()      //workflowcheck:ignore the embedded library is loaded once and never changes
	app, err := lib.ForSpec(spec) //workflowcheck:ignore its map iteration only orders what callers sort; the controls found are the same on every run
	if err != nil {
		return err
	}
	if _, err := report.Classify(spec, app, lib, in, nil); err != nil {
		return err
	}
	if len(in) > 500 {
		return errors.New("more than 500 exceptions: that is not one report")
	}
	return nil
}

// certificationOf finds a recorded certification.
func certificationOf(st *EngagementState, fw compliance.FrameworkID, d compliance.Date) (postcert.Certification, bool) {
	for _, c := range st.Certifications {
		if c.Framework == fw && c.Date == d {
			return c, true
		}
	}
	return postcert.Certification{}, false
}
