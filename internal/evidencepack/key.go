package evidencepack

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// The deployment's signing key: the base64 of a 32-byte Ed25519 seed, in
// the environment or in a file (one line). The file wins when both are set
// so a secret mounted as a file is not shadowed by a stale variable.
const (
	EnvKey     = "STEADFAST_PACK_KEY"
	EnvKeyFile = "STEADFAST_PACK_KEY_FILE"
)

// ErrNoKey is returned by KeyFromEnv when no signing key is configured.
var ErrNoKey = errors.New("no evidence pack signing key: set " + EnvKeyFile + " to a key file made by `starter evidence-pack keygen --out FILE` (or " + EnvKey + " to its contents)")

// KeyFromEnv loads the deployment's signing key and says where it came
// from (for messages; never the key itself).
func KeyFromEnv() (ed25519.PrivateKey, string, error) {
	if path := os.Getenv(EnvKeyFile); path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("%s: read the signing key: %w", EnvKeyFile, err)
		}
		key, err := ParsePrivateKey(string(body))
		if err != nil {
			return nil, "", fmt.Errorf("%s=%s: %w", EnvKeyFile, path, err)
		}
		return key, EnvKeyFile + "=" + path, nil
	}
	if text := os.Getenv(EnvKey); text != "" {
		key, err := ParsePrivateKey(text)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", EnvKey, err)
		}
		return key, EnvKey, nil
	}
	return nil, "", ErrNoKey
}

// GenerateKey makes a new signing key pair.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate an Ed25519 key: %w", err)
	}
	return key, nil
}

// FormatPrivateKey is the text of a signing key (its seed in base64).
func FormatPrivateKey(key ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(key.Seed())
}

// FormatPublicKey is the text of a public key (base64), as printed and as
// --public-key takes it.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// KeyID is a short fingerprint of a public key for people to compare:
// the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ParsePrivateKey reads a signing key's text.
func ParsePrivateKey(text string) (ed25519.PrivateKey, error) {
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("not an evidence pack signing key (want the base64 of a %d-byte Ed25519 seed, as keygen writes)", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParsePublicKey reads a public key's text.
func ParsePublicKey(text string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not an evidence pack public key (want the base64 of a %d-byte Ed25519 public key, as keygen prints)", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}
