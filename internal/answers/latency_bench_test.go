package answers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

const benchSecret = "bench-secret"

// benchActorKey stands for STEADFAST_ACTOR_KEY.
var benchActorKey = []byte("bench-actor-key-0123456789abcdef-0123456789")

// timedAnswerer notes when each answer has been accepted by the workflow
// (the update completed), keyed by prompt.
type timedAnswerer struct {
	inner slack.Answerer
	done  chan accepted
}

type accepted struct {
	prompt string
	at     time.Time
	ok     bool
}

func (t *timedAnswerer) Answer(ctx context.Context, in slack.Interaction) (slack.Outcome, error) {
	out, err := t.inner.Answer(ctx, in)
	t.done <- accepted{prompt: in.PromptID, at: time.Now(), ok: err == nil && out.Accepted}
	return out, err
}

// BenchmarkSignedClickToUpdateAccepted measures, on the dev server, the time
// from a signed Slack click reaching the worker's interactivity endpoint to
// the prompt workflow having accepted and recorded the answer (the update
// completed). Run with -benchtime=200x for 200 clicks; it reports p50 and
// p99, and the history events an answered prompt costs.
//
//	go test -run '^$' -bench SignedClick -benchtime 200x ./internal/answers/
func BenchmarkSignedClickToUpdateAccepted(b *testing.B) {
	db := testenv.Postgres(b)
	tmp := testenv.DevServer(b)
	ctx := context.Background()

	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "bench", Revision: 1,
		Spec: *spec, Plan: plan, Phase: compliance.PhaseScoping, RecordedBy: "bench", At: time.Now()}); err != nil {
		b.Fatal(err)
	}

	emu := slackemu.New()
	defer emu.Close()
	emu.AddUser("priya@brightlane.io", "U0PRIYARAM")
	sc := slack.New(slack.Config{BotToken: "xoxb-bench", APIURL: emu.URL()})
	w := worker.New(tmp.Client, "bench", worker.Options{Interceptors: identity.Interceptors(benchActorKey)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Slack: sc})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	timed := &timedAnswerer{done: make(chan accepted, 1)}
	timed.inner = &answers.SlackAnswerer{Service: &answers.Service{Temporal: tmp.Client}, Store: db.Store, Slack: sc, Key: benchActorKey}
	dispatcher := slack.NewDispatcher(timed, sc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(slack.NewInteractionHandler(benchSecret, dispatcher))
	defer srv.Close()

	owner := *spec.Person("priya@brightlane.io")
	ids := make([]string, b.N)
	for i := range ids {
		key := fmt.Sprintf("bench/%d-%d", time.Now().UnixNano(), i)
		ids[i] = workflows.PromptWorkflowID(spec.ID, key)
		_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: ids[i], TaskQueue: "bench"}, workflows.PromptWorkflowName,
			workflows.PromptInput{EngagementID: spec.ID, Key: key, Kind: "control-status", Subject: "AC-01", Question: "In place?",
				Choices: []postgres.PromptChoice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}},
				To:      owner, Policy: spec.Reminders})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Wait until every prompt is open (recorded and delivered).
	for _, id := range ids {
		for {
			resp, err := tmp.Client.QueryWorkflow(ctx, id, "", workflows.QueryPrompt)
			if err == nil {
				var st workflows.PromptState
				if resp.Get(&st) == nil && st.Next != nil {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i, id := range ids {
		msg := slack.DigestMessage(owner.Name, []slack.PromptView{{PromptID: id, Subject: "AC-01", Question: "In place?",
			Choices: []slack.Choice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}}})
		blocks, err := json.Marshal(msg.Blocks)
		if err != nil {
			b.Fatal(err)
		}
		payload, err := emu.ClickPayload(slackemu.Message{Channel: "DU0PRIYARAM", TS: fmt.Sprintf("1700000000.%06d", i), Blocks: blocks}, "U0PRIYARAM", slack.ActionAnswerPrefix+"yes")
		if err != nil {
			b.Fatal(err)
		}
		body := slackemu.FormBody(payload)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		start := time.Now()
		slack.SignRequest(req, benchSecret, start, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		got := <-timed.done
		if !got.ok || got.prompt != id {
			b.Fatalf("click %d on %s was not accepted (%+v)", i, id, got)
		}
		lat = append(lat, got.at.Sub(start))
	}
	b.StopTimer()
	dispatcher.Wait()

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")

	// History cost of one prompt answered at once.
	run := tmp.Client.GetWorkflow(ctx, ids[0], "")
	if err := run.Get(ctx, nil); err != nil {
		b.Fatal(err)
	}
	events := 0
	it := tmp.Client.GetWorkflowHistory(ctx, ids[0], "", false, 0)
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			b.Fatal(err)
		}
		events++
	}
	b.ReportMetric(float64(events), "history-events/answered-prompt")
}
