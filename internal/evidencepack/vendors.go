package evidencepack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// The vendor files in every pack: the vendors and subservice organisations
// with what is on file for each and the scope risks each raises, the vendor
// work asked of their owners with the answers (the report or letter linked),
// and the complementary user-entity controls, for the auditor's review of
// carve-outs, bridge letters and CUECs.
const (
	VendorsCSV    = "vendors.csv"
	VendorWorkCSV = "vendor-work.csv"
	VendorsJSON   = "vendors.json"
)

// Vendors is what the vendor files are written from (the service's
// Vendors read model at the review's as-of).
type Vendors struct {
	Vendors []compliance.VendorItem        `json:"vendors"`
	Work    []compliance.VendorWorkItem    `json:"work"`
	CUECs   []compliance.UserEntityControl `json:"user_entity_controls"`
}

// VendorsPart writes the vendor files (header-only and empty lists when
// the spec names no vendor, so every pack has the same shape).
func VendorsPart(v Vendors) Part {
	return func(files map[string][]byte) error {
		for _, name := range []string{VendorsCSV, VendorWorkCSV, VendorsJSON} {
			if _, taken := files[name]; taken {
				return fmt.Errorf("%s is already in the pack", name)
			}
		}
		if v.Vendors == nil {
			v.Vendors = []compliance.VendorItem{}
		}
		if v.Work == nil {
			v.Work = []compliance.VendorWorkItem{}
		}
		if v.CUECs == nil {
			v.CUECs = []compliance.UserEntityControl{}
		}
		body, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("encode vendors: %w", err)
		}
		files[VendorsJSON] = append(body, '\n')
		var buf bytes.Buffer
		if err := WriteVendorsCSV(&buf, v.Vendors); err != nil {
			return err
		}
		files[VendorsCSV] = bytes.Clone(buf.Bytes())
		buf.Reset()
		if err := WriteVendorWorkCSV(&buf, v.Work); err != nil {
			return err
		}
		files[VendorWorkCSV] = buf.Bytes()
		return nil
	}
}

// VendorColumns is vendors.csv's header row (also `starter vendors --format csv`).
var VendorColumns = []string{"vendor", "kind", "service", "systems", "data", "treatment", "agreement", "pci_service_provider",
	"report_type", "period_start", "period_end", "issued", "expires", "exceptions", "bridge_letter", "monitored_by", "csocs", "risks"}

// WriteVendorsCSV writes one row per vendor. People type vendor names,
// exceptions and justifications, so every cell is neutralised.
func WriteVendorsCSV(w io.Writer, items []compliance.VendorItem) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(VendorColumns); err != nil {
		return fmt.Errorf("write vendors: %w", err)
	}
	for _, it := range items {
		v := it.Vendor
		var data, csocs, rules []string
		for _, d := range v.Data {
			data = append(data, string(d))
		}
		for _, c := range v.CSOCs {
			csocs = append(csocs, c.Description+" ("+strings.Join(c.Supports, " ")+")")
		}
		for _, r := range it.Risks {
			rules = append(rules, r.Rule)
		}
		var typ, start, end, issued, expires, exceptions string
		if r := it.Latest; r != nil {
			typ, issued, expires, exceptions = string(r.Type), r.Issued.String(), dateCell(r.Expires), r.Exceptions
			if r.Period != nil {
				start, end = r.Period.Start.String(), r.Period.End.String()
			}
		}
		rec := []string{v.Name, string(v.Kind), v.Service, strings.Join(v.Systems, " "), strings.Join(data, " "), string(v.Treatment),
			v.Agreement, strconv.FormatBool(v.PCIServiceProvider), typ, start, end, issued, expires, exceptions,
			dateCell(v.BridgeLetter), strings.Join(v.MonitoredBy, " "), strings.Join(csocs, "; "), strings.Join(rules, " ")}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write vendors: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write vendors: %w", err)
	}
	return nil
}

// VendorWorkColumns is vendor-work.csv's header row.
var VendorWorkColumns = []string{"key", "vendor", "kind", "owner", "ask", "due", "state", "prompt_id", "answer", "note", "link", "answered_by", "answered_at", "why"}

// WriteVendorWorkCSV writes one row per piece of vendor work.
func WriteVendorWorkCSV(w io.Writer, work []compliance.VendorWorkItem) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(VendorWorkColumns); err != nil {
		return fmt.Errorf("write vendor work: %w", err)
	}
	for _, it := range work {
		at := ""
		if it.AnsweredAt != nil {
			at = it.AnsweredAt.UTC().Format(time.RFC3339)
		}
		rec := []string{it.Key, it.Vendor, string(it.Kind), it.Owner, it.Ask.String(), it.Due.String(), string(it.State), it.PromptID,
			it.Answer, it.Note, it.Link, it.AnsweredBy, at, it.Why}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write vendor work: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write vendor work: %w", err)
	}
	return nil
}

func dateCell(d *compliance.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}
