package main

import (
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// registerWebCommands adds the commands that let people into the web.
func registerWebCommands(root *cobra.Command) {
	root.AddCommand(newWebLoginCmd(), newWebLogoutCmd(), newAuditorCmd())
}

func newWebLoginCmd() *cobra.Command {
	var id string
	var bySlack bool
	cmd := &cobra.Command{
		Use:   "web-login EMAIL --engagement ID [--slack]",
		Short: "Print a single-use sign-in link to the web for a person of an engagement, or send it as a Slack DM",
		Long: `web-login prints a sign-in link for EMAIL, a person of the engagement's spec or an
auditor invited to it. The link works once, for 15 minutes; only its hash is stored.
The link's address comes from WEB_BASE_URL (default ` + config.DefaultWebBaseURL + `).
With --slack the link is not printed: it goes to the person's Slack DMs (the spec's
Slack ID, else the account Slack finds by the email; SLACK_BOT_TOKEN as for the worker).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if id == "" {
				return fmt.Errorf("--engagement: say which engagement the person belongs to")
			}
			svc, closeSvc, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer closeSvc()
			if bySlack {
				cfg := config.FromEnv()
				var sc *slack.Client
				if cfg.SlackBotToken != "" {
					sc = slack.New(slack.Config{BotToken: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL})
				}
				res, err := svc.SendSignInLinkBySlack(cmd.Context(), engagement.SlackSignInRequest{Email: args[0], EngagementID: id,
					BaseURL: config.WebFromEnv().BaseURL, Slack: sc})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "sent %s a sign-in link in Slack (user %s); single use; expires %s\n",
					args[0], res.SlackUser, res.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
				return nil
			}
			res, err := svc.CreateSignInLink(cmd.Context(), engagement.SignInLinkRequest{Email: args[0], EngagementID: id})
			if err != nil {
				return err
			}
			link := config.WebFromEnv().BaseURL + "/signin?token=" + url.QueryEscape(res.Token)
			fmt.Fprintln(cmd.OutOrStdout(), link)
			fmt.Fprintf(cmd.ErrOrStderr(), "single use; expires %s\n", res.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "engagement", "", "engagement ID the person belongs to")
	cmd.Flags().BoolVar(&bySlack, "slack", false, "send the link as a Slack DM to the person instead of printing it")
	return cmd
}

func newAuditorCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "auditor", Short: "Invite auditors to an engagement's auditor's room"}
	var until, as string
	invite := &cobra.Command{
		Use:   "invite ENGAGEMENT EMAIL --until YYYY-MM-DD --as LEAD",
		Short: "Let an auditor read one engagement's auditor's room until a day",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := compliance.ParseDate(until)
			if err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			// The engagement keeps its invitations (its update's validator).
			svc, closeSvc, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer closeSvc()
			if err := svc.InviteAuditor(cmd.Context(), engagement.InviteAuditorRequest{EngagementID: args[0], Email: args[1],
				Until: day, Actor: cliActor(as)}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s may read the auditor's room of %s until the end of %s; `starter web-login %s --engagement %s` prints their sign-in link\n",
				args[1], args[0], day, args[1], args[0])
			return nil
		},
	}
	invite.Flags().StringVar(&until, "until", "", "last day of access (YYYY-MM-DD)")
	invite.Flags().StringVar(&as, "as", "", "the lead or delegate inviting")
	cmd.AddCommand(invite)
	return cmd
}
