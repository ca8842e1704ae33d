package main

import "strings"

// pastTense is a decision as done: approve → approved, reject → rejected,
// accept → accepted.
func pastTense(decision string) string {
	switch {
	case decision == "":
		return ""
	case strings.HasSuffix(decision, "e"):
		return decision + "d"
	default:
		return decision + "ed"
	}
}
