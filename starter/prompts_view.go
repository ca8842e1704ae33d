package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// promptsWidth is the width the default prompts view fits in.
const promptsWidth = 100

// writePrompts is the default prompts view: one block per question, fitting
// 100 columns, due times in the addressee's time zone, and under the list
// each choice once with what it means and whether it needs a note or link.
func writePrompts(out io.Writer, res engagement.PromptsResult) error {
	var b strings.Builder
	for _, p := range res.Prompts {
		loc := zone(res.TimeZones[p.ID])
		fmt.Fprintf(&b, "%s  %s\n", p.ID, promptLine(p, loc))
		fmt.Fprintf(&b, "  for %s · %s\n", p.AddresseeEmail, p.Subject)
		for _, line := range wrap(p.Question, promptsWidth-4) {
			fmt.Fprintf(&b, "    %s\n", line)
		}
		if p.AnswerChoice != "" {
			ans := "    answered " + p.AnswerChoice
			if p.AnsweredBy != "" {
				ans += " by " + p.AnsweredBy
			}
			if p.AnswerNote != "" {
				ans += ": " + p.AnswerNote
			}
			for _, line := range wrap(ans, promptsWidth) {
				fmt.Fprintln(&b, line)
			}
		}
		fmt.Fprintf(&b, "    choices: %s\n", choiceValues(p))
	}
	b.WriteString("\nChoices:\n")
	seen := map[string]bool{}
	width := 0
	for _, p := range res.Prompts {
		for _, c := range p.Choices {
			width = max(width, len(c.Value))
		}
	}
	for _, p := range res.Prompts {
		for _, c := range p.Choices {
			key := c.Value + "\x00" + c.Label
			if seen[key] {
				continue
			}
			seen[key] = true
			need := ""
			switch {
			case (c.NoteRequired || p.NoteRequired) && (c.LinkRequired || p.LinkRequired):
				need = " (needs --note and --link)"
			case c.NoteRequired || p.NoteRequired:
				need = " (needs --note)"
			case c.LinkRequired || p.LinkRequired:
				need = " (needs --link)"
			}
			for i, line := range wrap(c.Label+need, promptsWidth-width-4) {
				first := c.Value
				if i > 0 {
					first = ""
				}
				fmt.Fprintf(&b, "  %-*s  %s\n", width, first, line)
			}
		}
	}
	b.WriteString("\nAnswer with: starter answer PROMPT --choice CHOICE --as EMAIL [--note TEXT] [--link URL]\n")
	b.WriteString("Every column and the full JSON: --wide, --format json\n")
	_, err := io.WriteString(out, b.String())
	return err
}

// writePromptsWide is the one-row-per-prompt table with every column and
// the whole question (as wide as it needs to be).
func writePromptsWide(out io.Writer, res engagement.PromptsResult) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROMPT\tFOR\tSTATUS\tLADDER\tDUE\tCHOICES\tQUESTION")
	for _, p := range res.Prompts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.AddresseeEmail, p.Status, p.Level,
			p.DueAt.In(zone(res.TimeZones[p.ID])).Format("2006-01-02 15:04 MST"), choiceValues(p), p.Question)
	}
	return tw.Flush()
}

// promptLine is "open, due Mon 7 Dec 17:00 GMT, escalated to the lead".
func promptLine(p postgres.Prompt, loc *time.Location) string {
	s := p.Status
	if !p.DueAt.IsZero() {
		s += ", due " + p.DueAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
	}
	if p.Level != "" && p.Level != "sent" {
		s += ", ladder: " + p.Level
	}
	return s
}

func choiceValues(p postgres.Prompt) string {
	vs := make([]string, len(p.Choices))
	for i, c := range p.Choices {
		vs[i] = c.Value
	}
	return strings.Join(vs, " | ")
}

// zone loads an IANA zone, UTC when there is none or it is unknown.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// wrap breaks text into lines of at most width runes at spaces (a word
// longer than the width stays whole on its own line).
func wrap(text string, width int) []string {
	var lines []string
	var cur []rune
	for _, w := range strings.Fields(text) {
		rw := []rune(w)
		if len(cur) > 0 && len(cur)+1+len(rw) > width {
			lines = append(lines, string(cur))
			cur = nil
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, rw...)
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}
