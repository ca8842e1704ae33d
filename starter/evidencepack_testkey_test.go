package main

import (
	"os"

	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// Every evidence pack the starter's tests write is signed, so the test
// binary has a deployment key of its own (a fresh one per run) unless the
// environment names one. Tests about a missing key unset it with t.Setenv.
func init() {
	if os.Getenv(evidencepack.EnvKey) != "" || os.Getenv(evidencepack.EnvKeyFile) != "" {
		return
	}
	key, err := evidencepack.GenerateKey()
	if err != nil {
		panic(err)
	}
	if err := os.Setenv(evidencepack.EnvKey, evidencepack.FormatPrivateKey(key)); err != nil {
		panic(err)
	}
}
