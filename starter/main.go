// Command starter is Steadfast's CLI for consultants, leads and operators:
// start an engagement from a spec, watch it, and decide its scope.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		// Spec errors are already one per line with file:line:col.
		var se compliance.SpecErrors
		if errors.As(err, &se) {
			fmt.Fprintf(os.Stderr, "%s\n%d problem(s) in the spec; nothing was started\n", se.Error(), len(se))
		} else {
			fmt.Fprintln(os.Stderr, "error:", userMessage(err))
			if debugWanted(os.Args[1:]) {
				fmt.Fprintf(os.Stderr, "detail: %+v\n", err)
			}
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "starter",
		Short: "Start and steer Steadfast compliance engagements",
		Long: `starter starts SOC 2, ISO 27001 and PCI DSS readiness engagements from a spec
file and lets consultants and leads watch and steer them.

It talks to Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_CERT/KEY) and reads Postgres (DATABASE_URL) for listings.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: checkFormat,
	}
	var debug bool
	root.PersistentFlags().BoolVar(&debug, "debug", false, "on an error, print Temporal's, gRPC's or Postgres's own detail under the message (or STEADFAST_DEBUG=1)")
	root.AddCommand(newEngageCmd(), newStatusCmd(), newListCmd(), newScopeCmd(), newPromptsCmd(), newAnswerCmd(), newGapsCmd(), newRemediationCmd(), newCatalogCmd(), newCoverageCmd(), newDriftCmd(), newEvidenceCmd(), newReadinessCmd(), newEvidencePackCmd(), newCertifiedCmd(), newFrameworkCmd(), newProgrammeCmd(), newFindingsCmd())
	root.AddCommand(newPopulationCmd())
	root.AddCommand(newLoadCmd())
	root.AddCommand(newAuditCmd())
	root.AddCommand(newReportCmd(), newCustomerReviewCmd())
	registerThirdPartyCommands(root)
	registerWebCommands(root)
	return root
}
