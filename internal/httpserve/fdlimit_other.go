//go:build !unix

package httpserve

// connBudget keeps the configured cap where the descriptor limit cannot be read.
func connBudget(want int) int { return want }
