package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

func reportForm(excRows [][3]string) url.Values {
	v := url.Values{"framework": {"soc2"}, "date": {"2027-10-01"}, "period_start": {"2027-01-01"}, "period_end": {"2027-09-30"},
		"opinion": {"qualified"}}
	for _, r := range excRows {
		v.Add("exc_ref", r[0])
		v.Add("exc_desc", r[1])
		v.Add("exc_resp", r[2])
	}
	return v
}

// The report form: empty exception rows are not exceptions; a half-filled
// row, a bad date, a period that ends before it starts, a qualified opinion
// without exceptions, and a table whose columns do not line up
// are refused with the field named.
func TestIssuedRequestFromTheForm(t *testing.T) {
	got, err := issuedRequest("brightlane", reportForm([][3]string{{"ACC-04", "Late reviews.", "Reminders now."}, {"", "", ""}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Report.Exceptions) != 1 || got.Report.Exceptions[0].ManagementResponse != "Reminders now." || got.Report.Opinion != report.Qualified {
		t.Errorf("read %+v", got.Report)
	}
	if got.Certify.Certification.ReportPeriod.End.String() != "2027-09-30" {
		t.Errorf("period %v", got.Certify.Certification.ReportPeriod)
	}
	bad := map[string]url.Values{"exception row 1": reportForm([][3]string{{"ACC-04", "", "x"}}), "report date": reportForm(nil),
		"ends": reportForm(nil), "malformed": reportForm(nil), "rests on exceptions": reportForm(nil)}
	bad["report date"].Set("date", "tomorrow")
	bad["ends"].Set("period_end", "2026-01-01")
	bad["malformed"].Add("exc_ref", "ACC-04")
	bad["rests on exceptions"].Add("exc_ref", "")
	bad["rests on exceptions"].Add("exc_desc", "")
	bad["rests on exceptions"].Add("exc_resp", "")
	for want, form := range bad {
		if _, err := issuedRequest("brightlane", form); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
}

// FuzzReportForm: whatever is posted as the report form, reading it never
// panics, keeps its fields within bounds, and a form it accepts has at most
// maxReportExceptions exceptions, each with a control and a description.
func FuzzReportForm(f *testing.F) {
	body, b := form(f, [][2]string{{"framework", "soc2"}, {"date", "2027-10-01"}, {"opinion", "qualified"},
		{"exc_ref", "ACC-04"}, {"exc_desc", "Late."}, {"exc_resp", "Fixed."}}, "report.pdf", "%PDF-1.4", nil)
	f.Add(body, b)
	body, b = form(f, [][2]string{{"opinion", "unqualified"}, {"exc_ref", ""}, {"exc_desc", ""}, {"exc_resp", ""}}, "", "", nil)
	f.Add(body, b)
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		if boundary == "" || len(boundary) > 70 {
			return
		}
		fields, part, err := readReportForm(multipart.NewReader(bytes.NewReader(body), boundary))
		n := 0
		for k, vs := range fields {
			for _, v := range vs {
				n++
				if len(v) > maxReportField {
					t.Fatalf("field %q kept %d bytes", k, len(v))
				}
			}
		}
		if n > maxReportFields {
			t.Fatalf("%d fields kept", n)
		}
		if part != nil {
			_, _ = io.Copy(io.Discard, part)
		}
		if err != nil {
			return
		}
		req, err := issuedRequest("brightlane", fields)
		if err != nil {
			return
		}
		if len(req.Report.Exceptions) > maxReportExceptions {
			t.Fatalf("%d exceptions accepted", len(req.Report.Exceptions))
		}
		for _, e := range req.Report.Exceptions {
			if e.Ref == "" || e.Description == "" {
				t.Fatalf("an exception without its control or description: %+v", e)
			}
		}
	})
}

// FuzzReturnForm: whatever is posted as the review desk's "Return to
// owner" form, reading it never panics; a form it accepts names a
// question, and hands on the question and the reason trimmed, never
// longer than what was posted (whether the reason is given and short
// enough is the validator's to say).
func FuzzReturnForm(f *testing.F) {
	for _, seed := range []string{"question=Q1&reason=Say+how+often.", "question=Q1&reason=", "question=%20&reason=x", "reason=x",
		"question=Q1&question=Q2&reason=a&reason=b", "question=Q1&reason=" + strings.Repeat("x", custreview.MaxText+1), "%zz", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		q, reason, err := returnForm(form)
		if err != nil {
			if strings.TrimSpace(form.Get("question")) != "" {
				t.Fatalf("refused %q naming a question: %v", body, err)
			}
			return
		}
		if q == "" || q != strings.TrimSpace(q) || reason != strings.TrimSpace(reason) {
			t.Fatalf("accepted %q as %q, %q", body, q, reason)
		}
		if q != strings.TrimSpace(form.Get("question")) || reason != strings.TrimSpace(form.Get("reason")) {
			t.Fatalf("%q read as %q, %q: not the fields posted", body, q, reason)
		}
	})
}

// FuzzExplanationApprovalForm: whatever is posted as the lead's approval
// of an explanation, reading it never panics, and a form it accepts names
// both a report and a subject, as posted, trimmed.
func FuzzExplanationApprovalForm(f *testing.F) {
	for _, seed := range []string{"report=soc2%2F2027-10-01&subject=exception%3A1", "report=soc2%2F2027-10-01", "subject=control%3AACC-04",
		"report=%20&subject=%20", "report=a&report=b&subject=c", "%zz", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		key, subject, err := explanationForm(form)
		if err != nil {
			if strings.TrimSpace(form.Get("report")) != "" && strings.TrimSpace(form.Get("subject")) != "" {
				t.Fatalf("refused %q naming both: %v", body, err)
			}
			return
		}
		if key == "" || subject == "" || key != strings.TrimSpace(form.Get("report")) || subject != strings.TrimSpace(form.Get("subject")) {
			t.Fatalf("accepted %q as %q, %q", body, key, subject)
		}
	})
}
