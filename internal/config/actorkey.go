package config

import (
	"fmt"
	"log/slog"
	"os"
)

// ActorKey is the secret (STEADFAST_ACTOR_KEY) with which the paths that
// authenticate people (the Slack handler, the web) attest who acted, and
// with which the worker verifies it. Every worker and web process of a
// deployment shares it. It prints as "[redacted]" in logs and errors.
type ActorKey []byte

// MinActorKeyLen is the shortest key accepted: 32 bytes, as an HMAC-SHA256
// key should be.
const MinActorKeyLen = 32

func (k ActorKey) String() string {
	if len(k) == 0 {
		return "[unset]"
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the bytes.
func (k ActorKey) GoString() string { return k.String() }

// LogValue keeps slog from printing the bytes.
func (k ActorKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Format keeps every fmt verb from printing the bytes.
func (k ActorKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// actorKeyFromEnv reads STEADFAST_ACTOR_KEY.
func actorKeyFromEnv() ActorKey {
	return ActorKey(os.Getenv("STEADFAST_ACTOR_KEY"))
}

// CheckActorKey refuses a key too short to be a secret, and a missing key
// when a path that must attest people (Slack) is configured.
func (c Config) CheckActorKey() error {
	switch n := len(c.ActorKey); {
	case n > 0 && n < MinActorKeyLen:
		return fmt.Errorf("STEADFAST_ACTOR_KEY is %d bytes; it needs at least %d (e.g. `openssl rand -hex 32`)", n, MinActorKeyLen)
	case n == 0 && c.SlackBotToken != "":
		return fmt.Errorf("Slack is configured but STEADFAST_ACTOR_KEY is not: without it no Slack answer can be attested (set it to a shared secret of at least %d bytes, e.g. `openssl rand -hex 32`)", MinActorKeyLen)
	}
	return nil
}
