package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

func runWebCLI(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestWebLoginAndAuditorInvite: web-login prints a link only for someone
// the engagement knows, and the link's token signs in once; auditor invite
// (TestAuditorInviteThroughTheEngagement) lets an auditor have one.
func TestWebLoginAndAuditorInvite(t *testing.T) {
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Store.RecordScope(context.Background(), postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseScoping, RecordedBy: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("WEB_BASE_URL", "https://steadfast.example.com")

	out, _, err := runWebCLI("web-login", "maya@brightlane.io", "--engagement", spec.ID)
	if err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(out)
	if !strings.HasPrefix(link, "https://steadfast.example.com/signin?token=") {
		t.Fatalf("web-login printed %q", out)
	}
	svc := &engagement.Service{Store: db.Store}
	token := strings.TrimPrefix(link, "https://steadfast.example.com/signin?token=")
	if _, err := svc.RedeemSignInLink(context.Background(), token); err != nil {
		t.Errorf("the printed link does not sign in: %v", err)
	}
	if _, err := svc.RedeemSignInLink(context.Background(), token); err == nil {
		t.Error("the printed link signed in twice")
	}
	if _, _, err := runWebCLI("web-login", "auditor@cpa.example", "--engagement", spec.ID); err == nil {
		t.Error("web-login made a link for someone the engagement does not know")
	}

	// auditor invite goes through the engagement's update: see
	// TestAuditorInviteThroughTheEngagement (it needs Temporal).
}

// TestWebLoginBySlack: web-login --slack sends the link as a Slack DM to
// the person (through the real Slack client, against the emulator) and
// prints no link; the DM's link signs in once.
func TestWebLoginBySlack(t *testing.T) {
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Store.RecordScope(context.Background(), postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseScoping, RecordedBy: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	emu := slackemu.New()
	t.Cleanup(emu.Close)
	emu.AddUser("maya@brightlane.io", "U01MAYACHEN")
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("WEB_BASE_URL", "https://steadfast.example.com")
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-test")
	t.Setenv("SLACK_API_URL", emu.URL())

	out, _, err := runWebCLI("web-login", "maya@brightlane.io", "--engagement", spec.ID, "--slack")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "token=") || !strings.Contains(out, "sent maya@brightlane.io a sign-in link in Slack") {
		t.Errorf("web-login --slack printed %q", out)
	}
	msgs := emu.Messages()
	if len(msgs) != 1 || msgs[0].Channel != slackemu.DMChannel("U01MAYACHEN") {
		t.Fatalf("Slack messages %+v; want one DM to the lead", msgs)
	}
	_, token, ok := strings.Cut(msgs[0].Text, "https://steadfast.example.com/signin?token=")
	token, _, _ = strings.Cut(token, " ")
	svc := &engagement.Service{Store: db.Store}
	if !ok {
		t.Fatalf("the DM has no link: %q", msgs[0].Text)
	}
	if _, err := svc.RedeemSignInLink(context.Background(), token); err != nil {
		t.Errorf("the DM's link does not sign in: %v", err)
	}
	if _, err := svc.RedeemSignInLink(context.Background(), token); err == nil {
		t.Error("the DM's link signed in twice")
	}
	if _, _, err := runWebCLI("web-login", "auditor@cpa.example", "--engagement", spec.ID, "--slack"); err == nil {
		t.Error("web-login --slack sent a link to someone the engagement does not know")
	}
	if len(emu.Messages()) != 1 {
		t.Error("a DM went to someone the engagement does not know")
	}
}

// TestWebLogout: web-logout ends every session of one person (whatever
// the email's case) and no one else's.
func TestWebLogout(t *testing.T) {
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Store.RecordScope(context.Background(), postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseScoping, RecordedBy: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", db.URL)
	ctx := context.Background()
	svc := &engagement.Service{Store: db.Store}
	session := func(email string) string {
		link, err := svc.CreateSignInLink(ctx, engagement.SignInLinkRequest{Email: email, EngagementID: spec.ID})
		if err != nil {
			t.Fatal(err)
		}
		s, err := svc.RedeemSignInLink(ctx, link.Token)
		if err != nil {
			t.Fatal(err)
		}
		return s.Token
	}
	maya1, maya2, leo := session("maya@brightlane.io"), session("maya@brightlane.io"), session("leo@brightlane.io")
	out, _, err := runWebCLI("web-logout", "Maya@Brightlane.io")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "signed Maya@Brightlane.io out of 2 web session(s)") {
		t.Errorf("web-logout printed %q", out)
	}
	for _, tok := range []string{maya1, maya2} {
		if _, err := svc.WebSession(ctx, tok); err == nil {
			t.Error("a session of maya's is still signed in")
		}
	}
	if email, err := svc.WebSession(ctx, leo); err != nil || email != "leo@brightlane.io" {
		t.Errorf("leo's session: %q, %v; want it untouched", email, err)
	}
}
