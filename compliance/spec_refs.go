package compliance

// RefProblem is a reference in a spec that its form allows but its target
// does not: a control ID the library has no control for, an Annex A ID that
// is not an Annex A control. Field is the spec path (vendors[0].monitored_by),
// which the parser turns into a file:line:col position. The control library
// finds them (ControlCatalog.SpecRefs); ParseSpecWith and LoadSpecWith
// report them with every other spec error.
type RefProblem struct {
	Field string
	Msg   string
}
