package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// versionProgrammeTrustCertified: the programme takes a certified signal
// only as a pointer to a certification the engagement recorded (its
// certify update validates who records it, then records it, then signals);
// it plans from the stored record, and ignores (logs and records an event
// for) one that is not stored. Any Temporal client can send the signal, so
// its payload is never trusted on its own.
const versionProgrammeTrustCertified = "programme-trust-certified"

// takeCertification checks a signalled certification against the store and
// returns it as recorded there. ok is false when it is not recorded, or is
// one the programme already has.
func (r *programmeRun) takeCertification(ctx workflow.Context, cert postcert.Certification) (postcert.Certification, bool) {
	if !r.trustCerts {
		return cert, true
	}
	for _, have := range r.in.Certifications {
		if have.Framework == cert.Framework && have.Date == cert.Date {
			return cert, false
		}
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var res activities.RecordedCertificationResult
	if err := workflow.ExecuteActivity(actx, a.RecordedCertification, activities.RecordedCertificationInput{
		EngagementID: r.in.EngagementID, Framework: cert.Framework, Date: cert.Date,
	}).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("read a signalled certification", "engagement", r.in.EngagementID,
			"framework", cert.Framework, "date", cert.Date.String(), "error", err)
		return cert, false
	}
	if res.Found {
		return res.Certification, true
	}
	workflow.GetLogger(ctx).Warn("ignored a certification the engagement never recorded", "engagement", r.in.EngagementID,
		"framework", cert.Framework, "date", cert.Date.String())
	if err := workflow.ExecuteActivity(actx, a.RecordEvent, activities.RecordEventInput{
		EngagementID: r.in.EngagementID, Kind: compliance.EventCertificationIgnored, Actor: "unknown", Channel: compliance.ChannelWorkflow,
		Key: fmt.Sprintf("certification-ignored/%s/%s/%s/%s", cert.Framework, cert.Date, cert.ReportPeriod, cert.Reference),
		Detail: map[string]any{"framework": cert.Framework, "date": cert.Date.String(), "report_period": cert.ReportPeriod.String(),
			"reference": cert.Reference, "why": "signalled to the programme but not recorded through the engagement's certify update"},
		At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("record an ignored certification", "engagement", r.in.EngagementID, "error", err)
	}
	return cert, false
}

// settle waits for every update in flight and takes in every certified
// signal still in the channel before the run continues as new. Checking a
// signal against the store runs an activity, during which an update may
// start, so it waits again after each one; the last pass blocks on
// nothing, so no handler can start between AllHandlersFinished and
// continuing.
func (r *programmeRun) settle(ctx workflow.Context) error {
	for {
		// A change's spec being stored is finished first; anywhere else a
		// change is left, its record says where the next run picks it up
		// (never true before versionChangeHandOver).
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && !r.applying }); err != nil {
			return err
		}
		if !r.drain {
			if r.drain = workflow.GetVersion(ctx, versionProgrammeDrain, workflow.DefaultVersion, 1) >= 1; !r.drain {
				return nil
			}
		}
		if !r.trustCerts {
			r.drainCertified(ctx)
			return nil
		}
		var cert postcert.Certification
		if !workflow.GetSignalChannel(ctx, SignalCertified).ReceiveAsync(&cert) {
			return nil
		}
		if c, ok := r.takeCertification(ctx, cert); ok {
			r.in.Certifications = append(r.in.Certifications, c)
		}
	}
}
