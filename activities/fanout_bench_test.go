package activities_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// The gap assessment's fan-out: every control's prompt opens at once, a few
// owners hold them all, and Slack answers slowly.
const (
	fanOutControls = 150
	fanOutOwners   = 5
	fanOutLatency  = 300 * time.Millisecond
)

// BenchmarkSlowSlackFanOut opens 150 prompts for 5 owners at once on the
// store's 20-connection pool, against a Slack that takes 300 ms a call, two
// ways in each iteration: the old delivery (the digest posted or updated
// inside a transaction holding an advisory lock) and the current one
// (activities' OpenPrompt: a lease taken and settled by compare-and-set,
// Slack called with no connection held). It reports each way's wall time,
// pool waits (acquires that found no idle connection, and the time spent
// waiting for one) and Slack sends, and the old/new wall-time ratio.
//
//	go test -run '^$' -bench SlowSlackFanOut -benchtime 3x ./activities/
func BenchmarkSlowSlackFanOut(b *testing.B) {
	db := testenv.Postgres(b)
	emu := slackemu.New()
	b.Cleanup(emu.Close)
	sc := slack.New(slack.Config{BotToken: "xoxb-test", APIURL: slowSlack(b, emu, fanOutLatency)})
	acts := &activities.Activities{Store: db.Store, Slack: sc}
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(b, err)
	owners := make([]compliance.Person, fanOutOwners)
	for i := range owners {
		owners[i] = compliance.Person{Name: fmt.Sprintf("Owner %d", i), Email: fmt.Sprintf("owner%d@brightlane.io", i),
			SlackID: fmt.Sprintf("U0OWNER%d", i)}
		emu.AddUser(owners[i].Email, owners[i].SlackID)
	}

	var old, cur fanOutRun
	for i := range b.N {
		old.add(fanOut(b, db, emu, spec, owners, fmt.Sprintf("old-%d", i), func(ctx context.Context, p postgres.Prompt, to compliance.Person) error {
			if err := db.Store.OpenPrompt(ctx, p); err != nil {
				return err
			}
			return digestUnderLock(ctx, db.Store, sc, p.EngagementID, to)
		}))
		cur.add(fanOut(b, db, emu, spec, owners, fmt.Sprintf("new-%d", i), func(ctx context.Context, p postgres.Prompt, to compliance.Person) error {
			_, err := acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: p, To: to})
			return err
		}))
	}
	n := float64(b.N)
	b.ReportMetric(old.wall.Seconds()/n, "old-wall-s")
	b.ReportMetric(cur.wall.Seconds()/n, "new-wall-s")
	b.ReportMetric(old.wall.Seconds()/cur.wall.Seconds(), "old/new-wall")
	b.ReportMetric(float64(old.poolWaits)/n, "old-pool-waits")
	b.ReportMetric(float64(cur.poolWaits)/n, "new-pool-waits")
	b.ReportMetric(old.poolWait.Seconds()/n, "old-pool-wait-s")
	b.ReportMetric(cur.poolWait.Seconds()/n, "new-pool-wait-s")
	b.ReportMetric(float64(old.sends)/n, "old-slack-sends")
	b.ReportMetric(float64(cur.sends)/n, "new-slack-sends")
}

type fanOutRun struct {
	wall, poolWait time.Duration
	poolWaits      int64
	sends          int
}

func (r *fanOutRun) add(o fanOutRun) {
	r.wall += o.wall
	r.poolWait += o.poolWait
	r.poolWaits += o.poolWaits
	r.sends += o.sends
}

// fanOut records a fresh engagement, then opens every prompt at once
// through open and measures the run.
func fanOut(b *testing.B, db testenv.Database, emu *slackemu.Emulator, spec *compliance.Spec, owners []compliance.Person,
	suffix string, open func(context.Context, postgres.Prompt, compliance.Person) error) fanOutRun {
	ctx := context.Background()
	s := *spec
	s.ID = spec.ID + "-" + suffix
	plan, err := compliance.PlanEngagement(&s, time.Now())
	require.NoError(b, err)
	require.NoError(b, db.Store.RecordScope(ctx, postgres.ScopeRecord{
		EngagementID: s.ID, WorkflowID: "engagement/" + s.ID, Revision: 1, Spec: s, Plan: plan,
		Phase: compliance.PhaseGapAssessment, RecordedBy: "bench", At: time.Now(),
	}))
	sendsBefore := emu.CallCount("chat.postMessage") + emu.CallCount("chat.update")
	before := db.Store.Pool().Stat()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, fanOutControls)
	for i := range fanOutControls {
		to := owners[i%len(owners)]
		p := postgres.Prompt{
			ID: fmt.Sprintf("prompt/%s/control/C-%03d", s.ID, i), EngagementID: s.ID, Key: fmt.Sprintf("control/C-%03d", i),
			Kind: "control-status", Subject: fmt.Sprintf("C-%03d", i), Question: "Is this control in place?",
			Choices:        []postgres.PromptChoice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}},
			AddresseeEmail: to.Email, AddresseeName: to.Name, DueAt: time.Now().Add(240 * time.Hour), CreatedAt: time.Now(),
		}
		wg.Go(func() { errs[i] = open(ctx, p, to) })
	}
	wg.Wait()
	wall := time.Since(start)
	after := db.Store.Pool().Stat()
	for _, err := range errs {
		require.NoError(b, err)
	}
	return fanOutRun{
		wall:      wall,
		poolWaits: after.EmptyAcquireCount() - before.EmptyAcquireCount(),
		poolWait:  after.EmptyAcquireWaitTime() - before.EmptyAcquireWaitTime(),
		sends:     emu.CallCount("chat.postMessage") + emu.CallCount("chat.update") - sendsBefore,
	}
}

// digestUnderLock is the digest delivery this repository used before: the
// Slack call made inside WithSlackMessage's transaction and advisory lock.
// It is kept here only as the benchmark's baseline.
func digestUnderLock(ctx context.Context, st *postgres.Store, sc *slack.Client, engagementID string, p compliance.Person) error {
	prompts, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID, Addressee: p.Email})
	if err != nil {
		return err
	}
	msg := slack.DigestMessage(p.Name, activities.Views(prompts, p.TimeZone))
	return st.WithSlackMessage(ctx, engagementID, "digest:"+strings.ToLower(p.Email), func(existing *postgres.SlackMessage) (postgres.SlackMessage, error) {
		if existing != nil {
			return *existing, sc.Update(ctx, existing.Channel, existing.TS, msg)
		}
		channel, err := sc.OpenDM(ctx, p.SlackID)
		if err != nil {
			return postgres.SlackMessage{}, err
		}
		ts, err := sc.Post(ctx, channel, msg)
		return postgres.SlackMessage{Channel: channel, TS: ts}, err
	})
}
