package compliance

import (
	"fmt"
	"net/mail"
	"strings"
)

// validateVendors checks the vendors section against the rest of the spec:
// the systems they touch exist, the SOC 2 treatment is given only for a
// subservice organisation, reports are dated sensibly, control IDs have the
// library's form. Whether a control ID exists in the library is checked a
// layer up (catalog.CheckSpecControls), as for populations.
func (d *specDecoder) validateVendors(s *Spec) {
	names := map[string]int{}
	systems := map[string]int{}
	for i, sys := range s.Systems {
		systems[sys.Name] = i
	}
	for i := range s.Vendors {
		v := &s.Vendors[i]
		p := fmt.Sprintf("vendors[%d]", i)
		if strings.TrimSpace(v.Name) == "" {
			d.missing(p + ".name")
		} else if j, dup := names[v.Name]; dup {
			d.errorf(d.at(p+".name"), p+".name", "vendor %q is already defined at vendors[%d]", v.Name, j)
		} else {
			names[v.Name] = i
		}
		if v.Kind == "" {
			d.errorf(d.at(p+".kind"), p+".kind", "is required%s", suggest("", stringsOf(VendorKinds)))
		}
		if strings.TrimSpace(v.Service) == "" {
			d.errorf(d.at(p+".service"), p+".service", "is required: what the vendor does for the client")
		}
		if v.Owner != "" {
			if addr, err := mail.ParseAddress(v.Owner); err != nil || addr.Address != v.Owner {
				d.errorf(d.at(p+".owner"), p+".owner", "%q is not a plain email address", v.Owner)
			} else if s.Person(v.Owner) == nil {
				d.errorf(d.at(p+".owner"), p+".owner", "%s is not one of the spec's people", v.Owner)
			}
		}
		for _, name := range v.Systems {
			if _, ok := systems[name]; !ok {
				d.errorf(d.at(p+".systems"), p+".systems", "unknown system %q%s", name, suggest(name, keys(systems)))
			}
		}
		if v.Holds(DataNone) && len(v.Data) > 1 {
			d.errorf(d.at(p+".data"), p+".data", "\"none\" cannot be combined with other data classes")
		}
		switch {
		case v.Treatment != "" && v.Kind != VendorSubservice && v.Kind != "":
			d.errorf(d.at(p+".treatment"), p+".treatment", "only a subservice organisation is carved out or included; this vendor is a %s", v.Kind)
		case v.Treatment == "" && v.Kind == VendorSubservice && s.HasFramework(SOC2):
			d.errorf(d.at(p+".treatment"), p+".treatment", "is required for a subservice organisation under SOC 2 (carve-out or inclusive)")
		}
		if v.Agreement != "" && v.Treatment != Inclusive {
			d.errorf(d.at(p+".agreement"), p+".agreement", "an agreement is recorded only for an inclusive treatment")
		}
		if v.PCIServiceProvider && !s.HasFramework(PCIDSS) {
			d.errorf(d.at(p+".pci_service_provider"), p+".pci_service_provider", "is a PCI DSS field but pci-dss is not among the frameworks")
		}
		for j, r := range v.Reports {
			d.validateVendorReport(r, fmt.Sprintf("%s.reports[%d]", p, j))
		}
		d.checkControlIDs(v.MonitoredBy, p+".monitored_by")
		for j, c := range v.CSOCs {
			cp := fmt.Sprintf("%s.csocs[%d]", p, j)
			if strings.TrimSpace(c.Description) == "" {
				d.missing(cp + ".description")
			}
			if len(c.Supports) == 0 {
				d.errorf(d.at(cp+".supports"), cp+".supports", "is required: the controls of ours that rely on it")
			}
			d.checkControlIDs(c.Supports, cp+".supports")
		}
	}
}

func (d *specDecoder) validateVendorReport(r VendorReport, p string) {
	if r.Type == "" {
		d.errorf(d.at(p+".type"), p+".type", "is required%s", suggest("", stringsOf(ReportTypes)))
	}
	if r.Issued.IsZero() {
		d.missing(p + ".issued")
	}
	switch {
	case r.Type.Periodic() && r.Period == nil:
		d.errorf(d.at(p+".period"), p+".period", "a %s report covers a period; give its start and end", r.Type)
	case r.Period != nil && !r.Type.Periodic() && r.Type != "":
		d.errorf(d.at(p+".period"), p+".period", "a %s attests at a date; give expires instead of a period", r.Type)
	case r.Period != nil:
		w := r.Period
		if w.Start.IsZero() {
			d.missing(p + ".period.start")
		}
		if w.End.IsZero() {
			d.missing(p + ".period.end")
		}
		if !w.Start.IsZero() && !w.End.IsZero() && !w.Start.Before(w.End) {
			d.errorf(d.at(p+".period.end"), p+".period.end", "period ends %s, not after it starts (%s)", w.End, w.Start)
		}
		if !w.End.IsZero() && !r.Issued.IsZero() && r.Issued.Before(w.End) {
			d.errorf(d.at(p+".issued"), p+".issued", "issued %s, before the period it reports on ends (%s)", r.Issued, w.End)
		}
	}
	if r.Expires != nil && !r.Issued.IsZero() && !r.Issued.Before(*r.Expires) {
		d.errorf(d.at(p+".expires"), p+".expires", "expires %s, not after it was issued (%s)", r.Expires, r.Issued)
	}
}

// checkControlIDs checks each ID has the control library's form.
func (d *specDecoder) checkControlIDs(ids []string, p string) {
	for _, id := range ids {
		if !controlIDPattern.MatchString(id) {
			d.errorf(d.at(p), p, "%q is not a control ID (like VND-04)", id)
		}
	}
}

func (d *specDecoder) validateUserEntityControls(s *Spec) {
	seen := map[string]int{}
	for i, u := range s.UserEntityControls {
		p := fmt.Sprintf("user_entity_controls[%d]", i)
		switch {
		case u.ID == "":
			d.missing(p + ".id")
		case !riskIDPattern.MatchString(u.ID):
			d.errorf(d.at(p+".id"), p+".id", "%q is not an ID (letters, digits, dashes, like CUEC-1)", u.ID)
		default:
			if j, dup := seen[u.ID]; dup {
				d.errorf(d.at(p+".id"), p+".id", "%s is already used by user_entity_controls[%d]", u.ID, j)
			}
			seen[u.ID] = i
		}
		if strings.TrimSpace(u.Description) == "" {
			d.missing(p + ".description")
		}
		if len(u.Supports) == 0 {
			d.errorf(d.at(p+".supports"), p+".supports", "is required: the controls of ours that rely on it")
		}
		d.checkControlIDs(u.Supports, p+".supports")
	}
}

func (d *specDecoder) validateRisks(s *Spec) {
	seen := map[string]int{}
	for i, r := range s.Risks {
		p := fmt.Sprintf("risks[%d]", i)
		for _, prob := range checkRisk(r) {
			if prob.field == "id" && r.ID == "" || prob.field == "title" && r.Title == "" || prob.field == "owner" && r.Owner == "" {
				d.missing(p + "." + prob.field)
				continue
			}
			d.errorf(d.at(p+"."+prob.field), p+"."+prob.field, "%s", prob.msg)
		}
		if r.ID != "" {
			if j, dup := seen[r.ID]; dup {
				d.errorf(d.at(p+".id"), p+".id", "risk %s is already defined at risks[%d]", r.ID, j)
			}
			seen[r.ID] = i
		}
		// An owner may be a role ("Head of Engineering"); an email must be
		// one of the spec's people so prompts can reach them.
		if strings.Contains(r.Owner, "@") && s.Person(r.Owner) == nil {
			d.errorf(d.at(p+".owner"), p+".owner", "%s is not one of the spec's people", r.Owner)
		}
	}
}

func (d *specDecoder) validateExclusions(f *Framework, p string) {
	seen := map[string]int{}
	for i, e := range f.Exclusions {
		ep := fmt.Sprintf("%s.exclusions[%d]", p, i)
		switch {
		case e.Control == "":
			d.missing(ep + ".control")
		case !IsAnnexAID(e.Control):
			d.errorf(d.at(ep+".control"), ep+".control", "%q is not an Annex A control ID (like A.7.4)", e.Control)
		default:
			if j, dup := seen[e.Control]; dup {
				d.errorf(d.at(ep+".control"), ep+".control", "%s is already excluded at %s.exclusions[%d]", e.Control, p, j)
			}
			seen[e.Control] = i
		}
		if strings.TrimSpace(e.Justification) == "" {
			d.errorf(d.at(ep+".justification"), ep+".justification", "an excluded Annex A control needs a justification the auditor can read")
		}
	}
}
