package compliance

// Phase is where an engagement stands. Its value is the phase's name, which
// status output, Postgres and workflow histories have always carried as a
// plain JSON string, so older histories decode into it unchanged.
type Phase string

// The phases, in lifecycle order. The working phases (scoping, gap
// assessment, ...) alternate with the resting points between them (scoped,
// assessed, ...), where the next phase slots in. The plan (Plan) dates the
// working ones.
const (
	PhaseScoping       Phase = "scoping"
	PhaseScoped        Phase = "scoped"
	PhaseGapAssessment Phase = "gap-assessment"
	PhaseAssessed      Phase = "assessed"
	PhaseRemediation   Phase = "remediation"
	PhaseRemediated    Phase = "remediated"
	PhaseOperating     Phase = "operating"
	PhaseOperated      Phase = "operated"
	PhaseReadiness     Phase = "readiness"
	// PhaseReviewed: the readiness review is done; fieldwork is next.
	PhaseReviewed  Phase = "reviewed"
	PhaseFieldwork Phase = "fieldwork"
	// PhaseProgramme: certified; the programme runs on.
	PhaseProgramme Phase = "programme"
)

// phaseOrder lists every phase once, earliest first.
var phaseOrder = [...]Phase{
	PhaseScoping, PhaseScoped, PhaseGapAssessment, PhaseAssessed, PhaseRemediation, PhaseRemediated,
	PhaseOperating, PhaseOperated, PhaseReadiness, PhaseReviewed, PhaseFieldwork, PhaseProgramme,
}

// Phases returns every phase in lifecycle order.
func Phases() []Phase { return append([]Phase(nil), phaseOrder[:]...) }

// Order is the phase's place in the lifecycle (0 for scoping), or -1 for a
// name that is not a phase.
func (p Phase) Order() int {
	for i, q := range phaseOrder {
		if q == p {
			return i
		}
	}
	return -1
}

// Valid says whether p is one of the phases.
func (p Phase) Valid() bool { return p.Order() >= 0 }

// Before says whether p comes earlier in the lifecycle than q. A name that
// is not a phase comes before every phase, so it can never move an
// engagement.
func (p Phase) Before(q Phase) bool { return p.Order() < q.Order() }

func (p Phase) String() string { return string(p) }
