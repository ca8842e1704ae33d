package compliance

import "fmt"

// CheckGapRank is the rule for a lead's rank override: a rank names a place
// among the register's gaps, 1 to the number of gaps (gaps 0: the register
// is not built yet, and nothing can be ranked).
func CheckGapRank(rank, gaps int) error {
	switch {
	case gaps <= 0:
		return fmt.Errorf("there is no gap register to rank in yet: it is built when the gap assessment finishes")
	case rank < 1 || rank > gaps:
		return fmt.Errorf("rank %d is not a place in the register: give a rank from 1 to %d (there are %d gaps)", rank, gaps, gaps)
	}
	return nil
}

// CheckIsGap refuses a decision about a control the register does not hold
// as a gap: only a gap can be re-ranked or accepted as a known exception.
func CheckIsGap(controlID string, inRegister, gap bool, engagementID string) error {
	switch {
	case !inRegister:
		return fmt.Errorf("%s is not in the gap register of %s (`starter gaps %s` lists the gaps)", controlID, engagementID, engagementID)
	case !gap:
		return fmt.Errorf("%s is not a gap in %s: it was assessed as in place, so there is nothing to rank or accept (`starter gaps %s` lists the gaps)", controlID, engagementID, engagementID)
	}
	return nil
}
