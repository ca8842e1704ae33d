package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

func newEvidencePackCmd() *cobra.Command {
	var out, asOf string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "evidence-pack ENGAGEMENT --out DIR [--as-of YYYY-MM-DD] [--seed N]",
		Short: "Write the signed evidence pack an auditor works from: per control, the population, the sample and its evidence",
		Long: `Runs the readiness review's sample draw and writes the evidence pack to DIR:

  DIR/<control>/control.json  the control's description, owner, frequency, the
                              population, the sample, each sampled occurrence's
                              evidence reference and timestamps, and findings
  DIR/index.csv, index.json   one row per control and sampled occurrence
  DIR/audit-requests.csv, audit-requests.json
                              the auditor's requests answered during fieldwork,
                              with each answer's link or note, who gave it and when
  DIR/accepted-exceptions.csv, accepted-exceptions.json
                              the readiness findings the lead accepted as known
                              exceptions, each with the reason, who and when
  DIR/MANIFEST.sha256         the SHA-256 of every file above, sorted by path
                              (cd DIR && sha256sum -c MANIFEST.sha256 checks it)
  DIR/MANIFEST.sha256.sig     the manifest's Ed25519 signature with the
                              deployment's key, and that key's public half

The key comes from STEADFAST_PACK_KEY_FILE (or STEADFAST_PACK_KEY); make one with
'starter evidence-pack keygen --out FILE'. Give the auditor the public key it
prints separately from the pack: 'starter evidence-pack verify DIR --public-key KEY'
then shows that no file was edited, removed or added since the pack was signed.
It does not show that the evidence is true, when the pack was signed, or that
the key was not stolen.

Cells that a spreadsheet would run as formulas (starting with = + - @) are
written behind a single quote in every CSV; the JSON files hold them unchanged.

DIR must be empty or not exist; it is created, and every file is created
inside it without following links. --as-of and --seed are as for readiness;
the seed is printed so the same sample can be drawn again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("--out DIR is required")
			}
			if err := evidencepack.CheckOut(out); err != nil {
				return err
			}
			key, source, err := evidencepack.KeyFromEnv()
			if err != nil {
				return err
			}
			day, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			// One pool for the review and every part of the pack.
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			rep, err := reviewAsOf(cmd.Context(), store, args[0], day, seed, cmd.Flags().Changed("seed"))
			if err != nil {
				return err
			}
			audit, err := loadAnsweredAuditRequests(cmd.Context(), store, rep.EngagementID)
			if err != nil {
				return err
			}
			accepted, err := engagement.AcceptedExceptions(cmd.Context(), store, rep.EngagementID)
			if err != nil {
				return err
			}
			vendors, err := engagement.VendorsPackPart(cmd.Context(), store, rep.EngagementID, rep.AsOf)
			if err != nil {
				return err
			}
			blobs, err := blob.FromEnv(cmd.Context())
			if err != nil {
				return err
			}
			spec, _, err := store.SpecAndPlan(cmd.Context(), rep.EngagementID)
			if err != nil {
				return err
			}
			files, err := writeSignedPack(out, key, rep, audit.part(), exceptionsPart(accepted), evidencepack.TailoringPart(&spec), vendors,
				evidencepack.Artifacts(cmd.Context(), blobs, rep), audit.files(cmd.Context(), blobs))
			if err != nil {
				return err
			}
			if rep.Sampled == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "Nothing was tested: no occurrence had fallen due and no population was recorded, so the pack holds no sample.")
			}
			pub := key.Public().(ed25519.PublicKey)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: evidence pack of %d controls (%d occurrences sampled, %d findings) written to %s: %d files, %s and %s; seed %d; %d answered audit requests\n",
				rep.EngagementID, len(rep.Controls), rep.Sampled, len(rep.Findings), out, len(files), evidencepack.ManifestName, evidencepack.SignatureName, rep.Seed, len(audit.rows))
			fmt.Fprintf(w, "Signed with key %s (%s). Public key, to give the auditor separately:\n  %s\n",
				evidencepack.KeyID(pub), source, evidencepack.FormatPublicKey(pub))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the pack into (must be empty or not exist)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "as of the end of this day (YYYY-MM-DD, client's time zone); default now")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "seed of the sample draw; default derived from the engagement and day")
	cmd.AddCommand(newEvidencePackVerifyCmd(), newEvidencePackKeygenCmd())
	return cmd
}

// The pack's vocabulary, under the names the starter's tests use.
const manifestName = evidencepack.ManifestName

type (
	packPart    = evidencepack.Part
	packRow     = evidencepack.Row
	packControl = evidencepack.Control
)

var packCSVHeader = evidencepack.CSVHeader

// writeEvidencePack writes the pack of a review, and any further parts,
// into dir, signed with the deployment's key from the environment.
func writeEvidencePack(dir string, rep readiness.Report, parts ...packPart) ([]string, error) {
	key, _, err := evidencepack.KeyFromEnv()
	if err != nil {
		return nil, err
	}
	return writeSignedPack(dir, key, rep, parts...)
}

func writeSignedPack(dir string, key ed25519.PrivateKey, rep readiness.Report, parts ...packPart) ([]string, error) {
	files, err := evidencepack.Build(rep, parts...)
	if err != nil {
		return nil, err
	}
	return evidencepack.Write(dir, files, key, time.Now())
}
