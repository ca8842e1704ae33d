package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

func newEvidencePackVerifyCmd() *cobra.Command {
	var publicKey string
	cmd := &cobra.Command{
		Use:   "verify DIR --public-key KEY",
		Short: "Check an evidence pack's signature and every file against its manifest",
		Long: `Checks that MANIFEST.sha256.sig is a valid signature of MANIFEST.sha256 by the
public key you were given (--public-key: the key's text, or a file holding it),
then recomputes the SHA-256 of every file the manifest lists and checks that no
listed file is missing and no file is in DIR that the manifest does not list.
Exits non-zero naming exactly what changed: a file edited, deleted or added,
the manifest edited, the signature invalid, or a pack signed by another key.

Use the key the deployment gave you, not one read from the pack: anyone who
edits a pack can re-sign it with a key of their own. Without --public-key the
deployment's own signing key (STEADFAST_PACK_KEY_FILE or STEADFAST_PACK_KEY)
is used, for checking a pack on the machine that wrote it.

A pack that verifies is unchanged since a holder of that key signed it. That
is all: it does not show that the evidence is true, when the pack was signed
(the time in the signature is the signer's clock), or that the key was not
stolen.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if fi, err := os.Stat(dir); err != nil {
				return fmt.Errorf("%s: no such directory to verify (give the directory `starter evidence-pack --out` wrote)", dir)
			} else if !fi.IsDir() {
				return fmt.Errorf("%s is a file, not a pack: give the directory `starter evidence-pack --out` wrote", dir)
			}
			pub, source, err := verifyKey(publicKey)
			if err != nil {
				return err
			}
			res, err := evidencepack.Verify(dir, pub)
			if err != nil {
				return fmt.Errorf("%s does not verify against key %s (%s):\n%w", dir, evidencepack.KeyID(pub), source, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: all %d files match %s, signed by key %s (%s); the signer's clock said %s\n",
				dir, res.Files, manifestName, res.KeyID, source, res.SignedAt.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&publicKey, "public-key", "", "the deployment's public key (its text, or a file holding it), obtained apart from the pack")
	return cmd
}

// verifyKey is the key to check a pack against: --public-key (text or a
// file), else the public half of this deployment's signing key.
func verifyKey(flag string) (ed25519.PublicKey, string, error) {
	if flag != "" {
		if pub, err := evidencepack.ParsePublicKey(flag); err == nil {
			return pub, "--public-key", nil
		}
		body, err := os.ReadFile(flag)
		if err != nil {
			return nil, "", fmt.Errorf("--public-key is neither a public key nor a readable file: %w", err)
		}
		pub, err := evidencepack.ParsePublicKey(string(body))
		if err != nil {
			return nil, "", fmt.Errorf("--public-key %s: %w", flag, err)
		}
		return pub, "--public-key " + flag, nil
	}
	key, source, err := evidencepack.KeyFromEnv()
	if errors.Is(err, evidencepack.ErrNoKey) {
		return nil, "", errors.New("--public-key KEY is required: the deployment's public key, given to you apart from the pack (`starter evidence-pack keygen` printed it)")
	}
	if err != nil {
		return nil, "", err
	}
	return key.Public().(ed25519.PublicKey), "this deployment's key from " + source, nil
}

// verifyEvidencePack checks the pack in dir against this deployment's key.
func verifyEvidencePack(dir string) error {
	pub, _, err := verifyKey("")
	if err != nil {
		return err
	}
	_, err = evidencepack.Verify(dir, pub)
	return err
}
