package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

func newEvidencePackKeygenCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Make the deployment's evidence pack signing key (FILE) and print its public key (also in FILE.pub)",
		Long: `Makes a new Ed25519 key pair for signing evidence packs. The signing key is
written to FILE (mode 0600; FILE must not exist) and its public key to FILE.pub.
Point STEADFAST_PACK_KEY_FILE at FILE (or put its contents in STEADFAST_PACK_KEY)
wherever 'starter evidence-pack' runs, keep FILE secret, and give the public key
to auditors through a channel other than the pack itself.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out FILE is required: where to write the signing key")
			}
			key, err := evidencepack.GenerateKey()
			if err != nil {
				return err
			}
			pub := key.Public().(ed25519.PublicKey)
			if err := writeNewFile(out, evidencepack.FormatPrivateKey(key)+"\n", 0o600); err != nil {
				return err
			}
			if err := writeNewFile(out+".pub", evidencepack.FormatPublicKey(pub)+"\n", 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Signing key %s written to %s (keep it secret; set %s=%s).\nPublic key, also in %s.pub — give it to auditors apart from the pack:\n  %s\n",
				evidencepack.KeyID(pub), out, evidencepack.EnvKeyFile, out, out, evidencepack.FormatPublicKey(pub))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the signing key to (must not exist)")
	return cmd
}

// writeNewFile creates path (refusing an existing file or link) with body.
func writeNewFile(path, body string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(body); err != nil {
		_ = f.Close() // the write's error is the one to report
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
