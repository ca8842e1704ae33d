package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestActorKeyNeverPrinted(t *testing.T) {
	secret := "s3cret-s3cret-s3cret-s3cret-s3cret-42"
	t.Setenv("STEADFAST_ACTOR_KEY", secret)
	cfg := FromEnv()
	assert.Equal(t, []byte(secret), []byte(cfg.ActorKey))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "key", cfg.ActorKey, "cfg", cfg)
	for _, s := range []string{fmt.Sprint(cfg.ActorKey), fmt.Sprintf("%v %+v %#v %s %x %q", cfg.ActorKey, cfg, cfg.ActorKey, cfg.ActorKey, cfg.ActorKey, cfg.ActorKey), logged.String()} {
		assert.NotContains(t, s, secret)
		assert.NotContains(t, s, "s3cret")
	}
	assert.NoError(t, cfg.CheckActorKey())
}

func TestActorKeyChecked(t *testing.T) {
	short := Config{ActorKey: ActorKey("short")}
	assert.ErrorContains(t, short.CheckActorKey(), "STEADFAST_ACTOR_KEY is 5 bytes; it needs at least 32")
	slackWithout := Config{SlackBotToken: "xoxb-1"}
	err := slackWithout.CheckActorKey()
	assert.ErrorContains(t, err, "Slack is configured but STEADFAST_ACTOR_KEY is not")
	assert.NoError(t, Config{}.CheckActorKey(), "the CLI-only demo needs no key")
	assert.False(t, strings.Contains(fmt.Sprint(Config{}.ActorKey), "["+"redacted]"), "an unset key says so")
}
