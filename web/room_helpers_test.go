package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// invite records an auditor invitation straight in the store, as the
// engagement's invite-auditor handler does, for tests that run no
// Temporal (the browser test invites through the real update).
func (s *site) invite(email, id string, until compliance.Date) {
	s.t.Helper()
	if err := s.db.Store.InviteAuditor(context.Background(), postgres.AuditorInvite{EngagementID: id, Email: email,
		Until: until.In(time.UTC), InvitedBy: leadA}); err != nil {
		s.t.Fatal(err)
	}
}

// postFile posts the owner page's upload form as a page of origin would:
// the small fields first, the file last, as a browser sends them in the
// form's order.
func (c *client) postFile(path, origin string, fields map[string]string, name string, content []byte) *http.Response {
	c.s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range []string{"occurrence", "performed"} {
		if v, ok := fields[k]; ok {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(uploadField, name)
	if err != nil {
		c.s.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.s.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", origin)
	site := "same-origin"
	if origin != c.s.ts.URL {
		site = "cross-site"
	}
	req.Header.Set("Sec-Fetch-Site", site)
	return c.do(req)
}
