package sampling

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Request asks for a sampling plan for one control.
type Request struct {
	ControlID string
	Frequency compliance.Frequency
	Period    Period
	Risk      Risk
	// Seed makes the sample reproducible; use SeedFor to derive one from
	// business keys so a workflow replays the same sample.
	Seed uint64
	// Events, for per-event controls, are the dates the control actually
	// operated (each change, each hire). Without them the population is the
	// period's days.
	Events []compliance.Date
}

// Plan is the auditor's sample for one control over one period.
type Plan struct {
	ControlID  string               `json:"control_id,omitempty"`
	Frequency  compliance.Frequency `json:"frequency"`
	Risk       Risk                 `json:"risk"`
	Period     Period               `json:"period"`
	Seed       uint64               `json:"seed"`
	Population int                  `json:"population"`
	// Size is the number sampled: the frequency's size for the risk,
	// capped at the population.
	Size   int          `json:"size"`
	Sample []Occurrence `json:"sample"`
	// Note says anything the reader needs to interpret the plan.
	Note string `json:"note,omitempty"`
}

// NewPlan builds the sampling plan. The population is split into Size
// consecutive strata of (nearly) equal length and one occurrence is drawn
// from each, so the sample covers the whole period the way an auditor's
// does, never bunching in one quarter; the same seed gives the same sample.
func NewPlan(req Request) (Plan, error) {
	risk := req.Risk
	if risk == "" {
		risk = RiskModerate
	}
	want, err := Size(req.Frequency, risk)
	if err != nil {
		return Plan{}, fmt.Errorf("sampling %s: %w", req.ControlID, err)
	}
	pop, err := Population(req.Frequency, req.Period)
	if err != nil {
		return Plan{}, fmt.Errorf("sampling %s: %w", req.ControlID, err)
	}
	p := Plan{ControlID: req.ControlID, Frequency: req.Frequency, Risk: risk, Period: req.Period, Seed: req.Seed}
	isEvent := req.Frequency == compliance.FreqPerEvent || req.Frequency == compliance.FreqContinuous
	switch {
	case isEvent && req.Events != nil:
		pop = eventPopulation(req.Events, req.Period)
		p.Note = "population is the control's recorded events in the period"
	case isEvent:
		p.Note = "population is the period's days; test the events (or state) on each sampled day"
	}
	p.Population = len(pop)
	p.Size = min(want, len(pop))
	if p.Size < want {
		p.Note = join(p.Note, fmt.Sprintf("the population of %d is smaller than the usual sample of %d, so every occurrence is tested", len(pop), want))
	}
	p.Sample = stratified(pop, p.Size, req.Seed)
	return p, nil
}

// stratified draws n of pop, one uniformly from each of n consecutive,
// near-equal strata, in period order.
func stratified(pop []Occurrence, n int, seed uint64) []Occurrence {
	if n <= 0 {
		return []Occurrence{}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Occurrence, 0, n)
	for i := range n {
		lo, hi := i*len(pop)/n, (i+1)*len(pop)/n
		out = append(out, pop[lo+rng.IntN(hi-lo)])
	}
	return out
}

// SeedFor derives a stable seed from business keys (engagement, control,
// period), so a sample can be regenerated anywhere, including inside a
// deterministic workflow.
func SeedFor(keys ...string) uint64 {
	h := fnv.New64a()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
