package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// seedScrutiny records for engagement A an issued report one owner has
// not read, and a customer review with one question on an owner, two on
// the lead (one unmapped, one answered) and one approved answer that a
// later change took out of the library.
func (s *site) seedScrutiny(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	st := s.db.Store
	at := time.Now().UTC().Add(-time.Hour)
	k := report.Key{EngagementID: engA, Framework: compliance.SOC2, Date: compliance.DateOf(at)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.RecordReport(ctx, k, report.Report{Framework: k.Framework, Date: k.Date, Opinion: report.Unqualified}, leadA, at))
	must(st.RecordReadingsAsked(ctx, k, []report.Reading{{Owner: compliance.Person{Email: ownerA}}, {Owner: compliance.Person{Email: delegateA}}},
		[]string{"p/1", "p/2"}))
	must(st.RecordReading(ctx, k, delegateA, postgres.ReadingRead, delegateA, "", at))
	review := "acme-bank-" + compliance.DateOf(at.AddDate(0, 0, 14)).String()
	must(st.ImportCustomerReview(ctx, postgres.CustomerReview{EngagementID: engA, ReviewID: review, Customer: "Acme Bank",
		Due: compliance.DateOf(at.AddDate(0, 0, 14)), Format: "csv", FileName: "acme.csv", ImportedBy: leadA, ImportedAt: at},
		[]custreview.Routed{
			{Question: custreview.Question{ID: "Q1", Text: "a?"}, Controls: []string{"ACC-04"}, Owner: delegateA},
			{Question: custreview.Question{ID: "Q2", Text: "b?"}, Controls: []string{"CHG-01"}, Owner: ownerA},
			{Question: custreview.Question{ID: "Q3", Text: "c?", Ref: "SIG-1"}},
			{Question: custreview.Question{ID: "Q4", Text: "d?"}, Controls: []string{"ACC-04"}, Owner: delegateA}}))
	for _, c := range []custreview.Change{
		{QuestionID: "Q1", Answer: &custreview.Answer{Text: "yes", By: delegateA}, Key: "a"},
		{QuestionID: "Q1", ApprovedBy: leadA, Key: "b"},
		{QuestionID: "Q4", Answer: &custreview.Answer{Text: "yes", By: delegateA}, Key: "c"}} {
		c.EngagementID, c.ReviewID, c.At = engA, review, at.Add(time.Minute)
		must(st.ChangeQuestion(ctx, c))
	}
	must(st.UnsettleAnswers(ctx, engA, custreview.EvidenceChanged("ACC-04", "ACC-04/q", at.Add(2*time.Minute))))
}

// TestPortfolioAndEngagementShowCustomersScrutiny: the figures `status`
// shows reach the portfolio row and the engagement page of those who may
// view the engagement; an owner's portfolio row shows none of them and
// the engagement page stays closed to them.
func TestPortfolioAndEngagementShowCustomersScrutiny(t *testing.T) {
	s := newSite(t)
	s.seedScrutiny(t)
	lead := s.signIn(leadA, engA)
	portfolio := body(t, lead.get("/"))
	for _, want := range []string{"1 open review(s): 1 question(s) on owners, 2 on the lead", "1 owner(s) have not read the", "1 answer(s) to re-confirm"} {
		if !strings.Contains(portfolio, want) {
			t.Errorf("the lead's portfolio lacks %q:\n%s", want, portfolio)
		}
	}
	page := body(t, lead.get("/e/"+engA))
	for _, want := range []string{"Customers' scrutiny</h2>", "<td>Acme Bank</td>", `<td class="on-owners">1</td>`, `<td class="on-lead">2</td>`,
		"Not yet read the", ownerA, "1 approved answer(s) are not offered again"} {
		if !strings.Contains(page, want) {
			t.Errorf("the engagement page lacks %q", want)
		}
	}
	owner := s.signIn(ownerA, engA)
	if p := body(t, owner.get("/")); strings.Contains(p, "open review(s)") || strings.Contains(p, "have not read") {
		t.Errorf("an owner's portfolio shows the engagement's scrutiny:\n%s", p)
	}
	if got := owner.get("/e/" + engA).StatusCode; got != 404 {
		t.Errorf("the engagement page for an owner: %d, want 404 as before", got)
	}
}
