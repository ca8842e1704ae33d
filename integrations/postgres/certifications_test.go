package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

func certDate(t *testing.T, s string) compliance.Date {
	t.Helper()
	d, err := compliance.ParseDate(s)
	require.NoError(t, err)
	return d
}

func TestRecordCertification(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	at := time.Date(2028, 3, 1, 10, 0, 0, 0, time.UTC)
	soc2 := postgres.CertificationRow{
		EngagementID: id, Framework: compliance.SOC2, CertifiedOn: certDate(t, "2028-02-28"),
		ReportPeriod: compliance.Span{Start: certDate(t, "2027-02-01"), End: certDate(t, "2027-12-31")},
		Reference:    "SOC2-2027", RecordedBy: "Elena@Ferrovia.example", RecordedAt: at,
	}
	iso := postgres.CertificationRow{EngagementID: id, Framework: compliance.ISO27001, CertifiedOn: certDate(t, "2028-02-29"),
		Reference: "IS 765432", RecordedBy: "elena@ferrovia.example", RecordedAt: at}

	require.NoError(t, db.Store.RecordCertification(ctx, soc2))
	require.NoError(t, db.Store.RecordCertification(ctx, soc2), "a retry records nothing new")
	require.NoError(t, db.Store.RecordCertification(ctx, iso))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM certifications`))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, postgres.EventCertified))

	got, err := db.Store.Certifications(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, compliance.SOC2, got[0].Framework, "oldest first")
	assert.Equal(t, soc2.ReportPeriod, got[0].ReportPeriod)
	assert.Equal(t, "elena@ferrovia.example", got[0].RecordedBy)
	assert.True(t, got[0].RecordedAt.Equal(at))
	assert.Equal(t, certDate(t, "2028-02-29"), got[1].CertifiedOn, "29 February round-trips")
	assert.True(t, got[1].ReportPeriod.Start.IsZero() && got[1].ReportPeriod.End.IsZero(), "an ISO certificate has no period")

	// A corrected reference replaces the first and is logged.
	fixed := soc2
	fixed.Reference = "SOC2-2027-r1"
	require.NoError(t, db.Store.RecordCertification(ctx, fixed))
	got, err = db.Store.Certifications(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "SOC2-2027-r1", got[0].Reference)
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM certifications`))
	assert.Equal(t, 3, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, postgres.EventCertified))

	none, err := db.Store.Certifications(ctx, "no-such-engagement")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestRecordCertificationRefusesBadInput(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	ok := postgres.CertificationRow{EngagementID: id, Framework: compliance.SOC2, CertifiedOn: certDate(t, "2028-02-28"),
		RecordedBy: "elena@ferrovia.example", RecordedAt: time.Now()}
	for name, edit := range map[string]func(*postgres.CertificationRow){
		"no date":       func(c *postgres.CertificationRow) { c.CertifiedOn = compliance.Date{} },
		"no framework":  func(c *postgres.CertificationRow) { c.Framework = "" },
		"half a period": func(c *postgres.CertificationRow) { c.ReportPeriod.Start = certDate(t, "2027-01-01") },
		"period backwards": func(c *postgres.CertificationRow) {
			c.ReportPeriod = compliance.Span{Start: certDate(t, "2027-12-31"), End: certDate(t, "2027-01-01")}
		},
		"unknown engagement": func(c *postgres.CertificationRow) { c.EngagementID = "no-such-engagement" },
	} {
		c := ok
		edit(&c)
		err := db.Store.RecordCertification(ctx, c)
		assert.Error(t, err, name)
		if name != "unknown engagement" {
			assert.ErrorIs(t, err, postcert.ErrInvalidCertification, "%s: the table holds postcert's rule", name)
		}
	}
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM certifications`))
}
