package auditreq

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// testSpec: Priya owns access, Leo owns governance, nobody owns physical;
// Maya leads.
func testSpec() *compliance.Spec {
	return &compliance.Spec{
		ID: "acme",
		People: []compliance.Person{
			{Name: "Maya", Email: "maya@acme.io", Roles: []compliance.Role{compliance.RoleLead}},
			{Name: "Priya", Email: "priya@acme.io", Roles: []compliance.Role{compliance.RoleControlOwner}, Owns: []compliance.Domain{compliance.DomainAccess}},
			{Name: "Leo", Email: "Leo@acme.io", Roles: []compliance.Role{compliance.RoleControlOwner}, Owns: []compliance.Domain{compliance.DomainGovernance}},
		},
		Reminders: compliance.ReminderPolicy{TimeZone: "America/New_York"},
	}
}

func testOptions(t testing.TB) Options {
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	return Options{Spec: testSpec(), Location: loc}
}

func TestParseRoutesEachRequest(t *testing.T) {
	o := testOptions(t)
	csv := "\ufeffRequest_ID, Description ,Control_ID,Owner,Due,Auditor notes\n" +
		"PBC-1,User access review for Q2,acc-04,,2027-06-14,first\n" +
		"PBC-2,\"Security policy, signed\",GOV-01,,2027-06-15T09:30:00Z,\n" +
		"PBC-3,Org chart,,,2027-06-16,\n" +
		"PBC-4,\"Visitor log\nfor the office\",PHY-01,,2027-06-17,\n" +
		",,,,,\n" +
		"PBC-5,Board minutes,ACC-04,LEO@acme.io,2027-06-18\n"
	reqs, err := Parse("pbc.csv", strings.NewReader(csv), o)
	require.NoError(t, err)
	require.Len(t, reqs, 5)

	assert.Equal(t, Request{RequestID: "PBC-1", ControlID: "ACC-04", Description: "User access review for Q2",
		Owner: o.Spec.People[1], RoutedBy: RoutedControlOwner, Due: time.Date(2027, 6, 14, 17, 0, 0, 0, o.Location), Line: 2}, reqs[0])
	assert.Equal(t, "leo@acme.io", strings.ToLower(reqs[1].Owner.Email))
	assert.Equal(t, RoutedControlOwner, reqs[1].RoutedBy)
	assert.Equal(t, "Security policy, signed", reqs[1].Description)
	assert.True(t, time.Date(2027, 6, 15, 9, 30, 0, 0, time.UTC).Equal(reqs[1].Due), "an RFC 3339 time is taken as given")
	assert.Equal(t, "maya@acme.io", reqs[2].Owner.Email, "no owner and no control: the lead")
	assert.Equal(t, RoutedLead, reqs[2].RoutedBy)
	assert.Equal(t, "maya@acme.io", reqs[3].Owner.Email, "an area nobody owns: the lead")
	assert.Equal(t, RoutedLead, reqs[3].RoutedBy)
	assert.Equal(t, "Visitor log\nfor the office", reqs[3].Description)
	assert.Equal(t, 5, reqs[3].Line)
	assert.Equal(t, 8, reqs[4].Line, "the quoted newline and the blank row count as lines")
	assert.Equal(t, "Leo@acme.io", reqs[4].Owner.Email, "a named owner wins over the control's")
	assert.Equal(t, RoutedNamed, reqs[4].RoutedBy)
}

func TestParseOptionalColumnsMayBeLeftOut(t *testing.T) {
	reqs, err := Parse("pbc.csv", strings.NewReader("due,request_id,description\r\n2027-06-14,PBC-1,Org chart\r\n"), testOptions(t))
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, "maya@acme.io", reqs[0].Owner.Email)
}

func TestParseReportsEveryBadRow(t *testing.T) {
	csv := "request_id,control_id,description,owner,due\n" +
		"PBC-1,ACC-04,Access review,,2027-06-14\n" + // fine
		",ACC-04,No reference,,2027-06-14\n" +
		"PBC-3,ACC-99,Unknown control,,2027-06-14\n" +
		"PBC-4,,Nobody we know,bob@elsewhere.io,2027-06-14\n" +
		"PBC-5,,Bad date,,14/06/2027\n" +
		"PBC-1,,Again,,2027-06-14\n" +
		"PBC-7,,,not an email,\n" +
		"PBC-8,\"unterminated,x,,2027-06-14\n"
	reqs, err := Parse("pbc.csv", strings.NewReader(csv), testOptions(t))
	require.Error(t, err)
	assert.Nil(t, reqs, "nothing is returned when anything is wrong")
	var ps Problems
	require.True(t, errors.As(err, &ps))
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	assert.Equal(t, []string{
		"pbc.csv:3: request_id: missing: every request needs the auditor's reference (e.g. PBC-014)",
		`pbc.csv:4: control_id: "ACC-99" is not a control in the library (e.g. ACC-04; ` + "`starter catalog export --format json` lists them, `starter catalog show ID` shows one)",
		"pbc.csv:5: owner: bob@elsewhere.io is not one of the engagement's people (add them to the spec, or leave owner blank to route the request to the control's owner)",
		`pbc.csv:6: due: "14/06/2027" is not a date (YYYY-MM-DD) or a time (RFC 3339, e.g. 2027-06-14T17:00:00-04:00)`,
		`pbc.csv:7: request_id: "PBC-1" is also on line 2; each request once`,
		"pbc.csv:8: description: missing: say what the auditor asks for",
		`pbc.csv:8: owner: "not an email" is not an email address`,
		"pbc.csv:8: due: missing: the date the auditor wants it by (YYYY-MM-DD)",
		`pbc.csv:9: not valid CSV: extraneous or missing " in quoted-field (at character 35)`,
	}, got)
}

func TestParseHeaderProblems(t *testing.T) {
	o := testOptions(t)
	for name, tc := range map[string]struct{ csv, want string }{
		"empty":         {"", "pbc.csv:1: the file is empty: the first line must be the header (request_id,control_id,description,owner,due)"},
		"no header":     {"PBC-1,ACC-04,Access review,,2027-06-14\n", "pbc.csv:1: request_id: the header has no such column"},
		"missing due":   {"request_id,description\nPBC-1,x\n", "pbc.csv:1: due: the header has no such column"},
		"duplicate":     {"request_id,description,due,DUE\n", "pbc.csv:1: due: the header names this column twice"},
		"too many rows": {"request_id,description,due\n" + manyRows(MaxRequests+1), "pbc.csv:5002: more than 5000 requests in one list; split it"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("pbc.csv", strings.NewReader(tc.csv), o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func manyRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "PBC-%d,x,2027-06-14\n", i)
	}
	return b.String()
}

func TestParseStopsAtLimits(t *testing.T) {
	o := testOptions(t)
	// A file that is not a request list stops after MaxProblems.
	_, err := Parse("x.csv", strings.NewReader("request_id,description,due\n"+strings.Repeat(",,nope\n", 1000)), o)
	var ps Problems
	require.True(t, errors.As(err, &ps))
	assert.Len(t, ps, MaxProblems+1)
	assert.Contains(t, ps[MaxProblems].Msg, "stopped after 200 problems")

	// A file over MaxBytes is refused, not truncated.
	big := "request_id,description,due\nPBC-1,\"" + strings.Repeat("x", MaxBytes) + "\",2027-06-14\n"
	_, err = Parse("big.csv", strings.NewReader(big), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than 8 MiB")

	// Exactly at the limit is fine.
	head := "request_id,description,due\nPBC-1,\"x\",2027-06-14\n"
	exact := head + strings.Repeat("\n", MaxBytes-len(head))
	reqs, err := Parse("exact.csv", strings.NewReader(exact), o)
	require.NoError(t, err)
	assert.Len(t, reqs, 1)
}

func TestCheckFromFlags(t *testing.T) {
	o := testOptions(t)
	req, ps := o.Check(Fields{RequestID: " PBC-9 ", ControlID: "acc-04", Description: "x", Due: "2027-06-14"}, 0)
	require.Empty(t, ps)
	assert.Equal(t, "PBC-9", req.RequestID)
	assert.Equal(t, "priya@acme.io", req.Owner.Email)

	_, ps = o.Check(Fields{RequestID: strings.Repeat("P", MaxRequestIDLen+1), Description: "a\x00b", Due: "2027-06-14"}, 0)
	require.Len(t, ps, 2)
	assert.Equal(t, "request_id: \"PPPPPPPPPPPPPPPPPPP…\" is longer than 64 characters", ps[0].Error())
	assert.Equal(t, "description: has characters that cannot be stored (control characters or invalid UTF-8)", ps[1].Error())
}

func TestPromptKey(t *testing.T) {
	assert.Equal(t, "audit/PBC-014", PromptKey("PBC-014"))
	assert.Equal(t, "audit/Q2/IT.general_1", PromptKey("Q2/IT.general_1"), "allowed characters are kept")
	a, b := PromptKey("PBC 14"), PromptKey("PBC:14")
	assert.Regexp(t, `^audit/PBC-14-[0-9a-f]{8}$`, a)
	assert.NotEqual(t, a, b, "references that differ only in replaced characters stay apart")
	assert.NotEqual(t, PromptKey("PBC-14"), a)
}

func FuzzParseRequests(f *testing.F) {
	f.Add([]byte("request_id,control_id,description,owner,due\nPBC-1,ACC-04,Access review,,2027-06-14\n"))
	f.Add([]byte("Due,Request_ID,Description,Owner\n2027-06-14T17:00:00Z,\"PBC 2\",\"a, \"\"b\"\"\",LEO@acme.io\n"))
	f.Add([]byte("request_id,description,due\n\"x\n,,\n"))
	f.Add([]byte("\ufeffrequest_id;description;due\n"))
	o := testOptions(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := Parse("fuzz.csv", strings.NewReader(string(data)), o)
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error is not a non-empty Problems: %v", err)
			}
			if reqs != nil {
				t.Fatal("requests returned with problems")
			}
			for _, p := range ps {
				if p.Line < 1 || p.File != "fuzz.csv" {
					t.Fatalf("problem without a place: %+v", p)
				}
			}
			return
		}
		// Whatever is accepted can be stored and routed.
		seen := map[string]bool{}
		for _, r := range reqs {
			switch {
			case r.RequestID == "" || r.Description == "" || r.Due.IsZero():
				t.Fatalf("accepted an incomplete request: %+v", r)
			case o.Spec.Person(r.Owner.Email) == nil:
				t.Fatalf("routed to someone outside the engagement: %+v", r)
			case !utf8.ValidString(r.RequestID+r.Description) || strings.ContainsRune(r.RequestID+r.Description, 0):
				t.Fatalf("accepted text Postgres refuses: %q", r.RequestID+r.Description)
			case seen[r.RequestID]:
				t.Fatalf("accepted %q twice", r.RequestID)
			}
			seen[r.RequestID] = true
			if k := PromptKey(r.RequestID); strings.Trim(k[len(KeyPrefix):], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") != "" {
				t.Fatalf("prompt key %q has characters outside [A-Za-z0-9._/-]", k)
			}
		}
	})
}

// A control the spec gives its own owner goes to that owner, named as the
// control's owner, even when they own nothing of its area.
func TestParseRoutesToTheControlsOwnOwner(t *testing.T) {
	o := testOptions(t)
	o.Spec.Tailoring.Controls = map[string]compliance.ControlTailoring{"PHY-01": {Owner: "leo@acme.io", Justification: "Leo runs the office"}}
	reqs, err := Parse("pbc.csv", strings.NewReader("Request_ID,Description,Control_ID,Owner,Due\nPBC-1,Visitor log,PHY-01,,2027-06-14\nPBC-2,Badge list,PHY-02,,2027-06-14\n"), o)
	require.NoError(t, err)
	require.Len(t, reqs, 2)
	assert.Equal(t, "Leo@acme.io", reqs[0].Owner.Email)
	assert.Equal(t, RoutedControlOwner, reqs[0].RoutedBy, "Leo owns PHY-01 itself, not the lead by default")
	assert.Equal(t, "maya@acme.io", reqs[1].Owner.Email, "PHY-02 keeps the area's rule: nobody owns physical")
	assert.Equal(t, RoutedLead, reqs[1].RoutedBy)
}
