package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	enumspb "go.temporal.io/api/enums/v1"
	tclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestBrowserOwnerAnswersOneBatchItem: an owner batch of three control
// reviews (the quarter's checklist, each item due on its own day) runs on
// the dev server with the worker's identity check; the owner signs in by
// link, sees the three items on their page, and answers the second in
// chromium. That item alone is answered, by the signed-in owner through the
// web; the other two stay open with their own deadlines and are still on
// the page.
func TestBrowserOwnerAnswersOneBatchItem(t *testing.T) {
	newPerson := browser(t)
	tmp := testenv.DevServer(t)
	s := newSite(t)
	s.svc.Temporal = tmp.Client
	const queue = "web-batch-test"
	s.svc.TaskQueue = queue
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testKey)})
	workflows.Register(w, &activities.Activities{Store: s.db.Store, Temporal: tmp.Client})
	must(t, w.Start())
	t.Cleanup(w.Stop)
	ctx := context.Background()

	spec := s.specs[engA]
	owner := *spec.Person(ownerA)
	due := time.Now().Add(6 * time.Hour).Truncate(time.Second)
	var items []workflows.BatchItem
	for i, c := range []string{"ACC-04", "IR-02", "OPS-03"} {
		d := due.Add(time.Duration(i) * 24 * time.Hour)
		items = append(items, workflows.BatchItem{Key: "review/" + c + "/2027-Q1", Kind: workflows.PromptKindReview, Subject: c + " review",
			Question: "Review of " + c + ": does it still operate as designed, with the same scope?", Why: "test",
			Choices: []compliance.PromptChoice{{Value: "operates", Label: "Operates as designed; scope unchanged"},
				{Value: "changed", Label: "Something changed (say what)", NoteRequired: true}},
			Due: d, Until: d.Add(72 * time.Hour)})
	}
	const key = "checklist/leo/2027-Q1"
	batch := workflows.OwnerBatchWorkflowID(engA, key)
	_, err := tmp.Client.ExecuteWorkflow(ctx, tclient.StartWorkflowOptions{ID: batch, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, workflows.OwnerBatchWorkflowName, workflows.OwnerBatchInput{
		EngagementID: engA, Key: key, Kind: "checklist", To: owner, Leads: spec.PeopleWithRole(compliance.RoleLead), Policy: spec.Reminders, Items: items})
	must(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), batch, "", "test over") })
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = compliance.BatchItemID(batch, it.Key)
	}
	waitFor(t, "the batch's three items", func() bool { return len(s.openFor(engA, ownerA)) == 3 })

	p := newPerson()
	s.signInByLink(t, p, ownerA, engA)
	form := func(id string) string { return `form.answer:has(input[name=prompt][value="` + id + `"])` }
	must(t, chromedp.Do(p,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(form(ids[2]))),
	))
	n, err := chromedp.Run(p, chromedp.Evaluate[int](`document.querySelectorAll('form.answer').length`))
	must(t, err)
	if n != 3 {
		t.Fatalf("the owner's page shows %d questions; want the batch's 3", n)
	}
	screenshot(t, p, "owner-batch")
	const note = "Checked with the on-call rota"
	must(t, chromedp.Do(p,
		chromedp.Click(chromedp.CSS(form(ids[1])+` input[value="operates"]`)),
		chromedp.SendKeys(chromedp.CSS(form(ids[1])+` textarea[name=note]`), note),
		chromedp.Click(chromedp.CSS(form(ids[1])+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, p, "answering one item of the batch")

	byID := map[string]postgres.Prompt{}
	waitFor(t, "the item to be answered", func() bool {
		ps, err := s.db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engA, Addressee: ownerA})
		must(t, err)
		for _, p := range ps {
			byID[p.ID] = p
		}
		return byID[ids[1]].Status == postgres.PromptAnswered
	})
	got := byID[ids[1]]
	if got.AnsweredBy != ownerA || got.AnsweredVia != compliance.ChannelWeb || got.AnswerChoice != "operates" || got.AnswerNote != note {
		t.Errorf("the item is recorded as %s (%q) by %s via %s; want operates with the note by %s via web", got.AnswerChoice, got.AnswerNote, got.AnsweredBy, got.AnsweredVia, ownerA)
	}
	for _, i := range []int{0, 2} {
		if byID[ids[i]].Status != postgres.PromptOpen {
			t.Errorf("item %d is %s; want it still open", i, byID[ids[i]].Status)
		}
		if !byID[ids[i]].DueAt.Equal(items[i].Due) {
			t.Errorf("item %d is due %s; want its own %s", i, byID[ids[i]].DueAt, items[i].Due)
		}
	}
	// The page the owner is sent back to lists the two still open.
	must(t, chromedp.Do(p, chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"), chromedp.WaitVisible(chromedp.CSS(form(ids[0])))))
	open, err := chromedp.Run(p, chromedp.Evaluate[[]string](`[...document.querySelectorAll('form.answer input[name=prompt]')].map(i => i.value)`))
	must(t, err)
	if strings.Join(open, ",") != ids[0]+","+ids[2] && strings.Join(open, ",") != ids[2]+","+ids[0] {
		t.Errorf("open on the page: %v; want the other two items", open)
	}
}
