package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// "Send me a link": the sign-in page asks for an email and, if Slack is
// configured, DMs that person a single-use link. The answer is the same
// whether or not anyone has that email, and it comes at once: the send
// happens in the background, so neither the words nor the time taken
// tell an outsider who is a person of an engagement.

// slackLinkSent is the one answer to every accepted request.
const slackLinkSent = "If that email belongs to someone Steadfast knows and Slack can reach them, a sign-in link is on its way to their Slack messages. It works once, for 15 minutes."

// Limits on asking for links: per client address and per email (any
// email, known or not, so the limit tells nothing either).
var (
	slackLinkIPRate     = rate.Every(20 * time.Second)
	slackLinkIPBurst    = 5
	slackLinkEmailRate  = rate.Every(5 * time.Minute)
	slackLinkEmailBurst = 3
	// slackLinkQueue bounds the sends waiting; past it a request is
	// answered the same and dropped.
	slackLinkQueue = 32
)

type slackLinks struct {
	s       *Server
	limits  *signInLimits
	queue   chan string
	once    sync.Once
	stop    context.CancelFunc
	stopped chan struct{}
}

func newSlackLinks(s *Server) *slackLinks {
	return &slackLinks{s: s, limits: newSignInLimits(), queue: make(chan string, slackLinkQueue), stopped: make(chan struct{})}
}

// start runs the sender with the first request.
func (l *slackLinks) start() {
	l.once.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		l.stop = cancel
		go func() {
			defer close(l.stopped)
			for {
				select {
				case <-ctx.Done():
					return
				case email := <-l.queue:
					l.send(ctx, email)
				}
			}
		}()
	})
}

func (l *slackLinks) send(ctx context.Context, email string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := l.s.Svc.SendSignInLinkBySlack(ctx, engagement.SlackSignInRequest{Email: email, BaseURL: l.s.BaseURL, Slack: l.s.Slack})
	if err != nil {
		// Not the email: the log must not become a list of who asked.
		l.s.Log.Info("sign-in link by Slack not sent", "reason", err)
		return
	}
	l.s.Log.Info("sign-in link sent by Slack", "engagement", res.EngagementID, "slack_user", res.SlackUser)
}

func (l *slackLinks) close() {
	if l.stop != nil {
		l.stop()
		<-l.stopped
	}
}

// signInBySlack takes the "send me a link" form.
func (s *Server) signInBySlack(w http.ResponseWriter, r *http.Request) {
	if s.Slack == nil {
		http.Error(w, engagement.ErrSlackNotConfigured.Error(), http.StatusNotFound)
		return
	}
	l := s.slackLinks
	if !l.limits.allow(l.limits.byIP, clientIP(r), slackLinkIPRate, slackLinkIPBurst) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many sign-in link requests from your address; wait a minute", http.StatusTooManyRequests)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 2<<10)
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	if email == "" || len(email) > 254 || !strings.Contains(email, "@") {
		s.render(w, r, "signin.html", http.StatusBadRequest, map[string]any{"Title": "Sign in", "OIDC": s.OIDC != nil,
			"SlackLinks": true, "Error": "Give the email address your engagement knows you by."})
		return
	}
	if !l.limits.allow(l.limits.byEmail, email, slackLinkEmailRate, slackLinkEmailBurst) {
		w.Header().Set("Retry-After", "300")
		http.Error(w, "too many sign-in links asked for this email; wait a few minutes", http.StatusTooManyRequests)
		return
	}
	l.start()
	select {
	case l.queue <- email:
	default:
		s.Log.Warn("sign-in link by Slack: the queue is full; a request was dropped")
	}
	s.render(w, r, "signin.html", http.StatusOK, map[string]any{"Title": "Sign in", "OIDC": s.OIDC != nil,
		"SlackLinks": true, "Msg": slackLinkSent})
}

// slackFromConfig is the web's Slack client, nil without a bot token.
func slackFromConfig(token, apiURL string) *slack.Client {
	if token == "" {
		return nil
	}
	return slack.New(slack.Config{BotToken: token, APIURL: apiURL})
}
