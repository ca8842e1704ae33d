package compliance

// Ordering helpers for Frequency. Frequencies is ordered from most to least
// frequent, so its index is the ordering; these helpers keep callers (the
// sampler, the gap ranking) from depending on that detail.

// Valid reports whether f is one of Frequencies.
func (f Frequency) Valid() bool { return f.order() >= 0 }

// order is f's position in Frequencies (0 = most frequent), or -1.
func (f Frequency) order() int {
	for i, x := range Frequencies {
		if x == f {
			return i
		}
	}
	return -1
}

// MoreFrequentThan reports whether f operates more often than o. Invalid
// frequencies are never more frequent than anything.
func (f Frequency) MoreFrequentThan(o Frequency) bool {
	a, b := f.order(), o.order()
	return a >= 0 && (b < 0 || a < b)
}
