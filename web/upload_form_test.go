package main

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"strings"
	"testing"
)

// form builds a multipart body: fields in order, then the file when name
// is not empty, then trailing fields.
func form(t testing.TB, fields [][2]string, name, content string, after [][2]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	if name != "" {
		fw, err := mw.CreateFormFile(uploadField, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(fw, content)
	}
	for _, f := range after {
		_ = mw.WriteField(f[0], f[1])
	}
	_ = mw.Close()
	return buf.Bytes(), mw.Boundary()
}

func TestReadUploadForm(t *testing.T) {
	body, b := form(t, [][2]string{{"occurrence", " GOV-05/2026-Q3 "}, {"performed", "2026-11-30"}}, "minutes.pdf", "%PDF-1.4", [][2]string{{"late", "x"}})
	fields, part, err := readUploadForm(multipart.NewReader(bytes.NewReader(body), b))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(part)
	if fields["occurrence"] != "GOV-05/2026-Q3" || fields["performed"] != "2026-11-30" || part.FileName() != "minutes.pdf" || string(got) != "%PDF-1.4" {
		t.Errorf("read %v and %q (%q)", fields, part.FileName(), got)
	}
	if _, ok := fields["late"]; ok {
		t.Error("a field after the file was read before the file")
	}

	body, b = form(t, [][2]string{{"occurrence", "x"}}, "", "", nil)
	if _, _, err := readUploadForm(multipart.NewReader(bytes.NewReader(body), b)); !errors.Is(err, errNoFile) {
		t.Errorf("a form without a file: %v", err)
	}
	body, b = form(t, [][2]string{{"occurrence", strings.Repeat("x", maxField+1)}}, "a.txt", "x", nil)
	if _, _, err := readUploadForm(multipart.NewReader(bytes.NewReader(body), b)); !errors.Is(err, errLongField) {
		t.Errorf("a field over %d bytes: %v", maxField, err)
	}
	var many [][2]string
	for range maxFields + 1 {
		many = append(many, [2]string{"f", "x"})
	}
	body, b = form(t, many, "a.txt", "x", nil)
	if _, _, err := readUploadForm(multipart.NewReader(bytes.NewReader(body), b)); err != nil {
		t.Errorf("repeated names count once: %v", err)
	}
	many = many[:0]
	for i := range maxFields + 1 {
		many = append(many, [2]string{"f" + strings.Repeat("i", i), "x"})
	}
	body, b = form(t, many, "a.txt", "x", nil)
	if _, _, err := readUploadForm(multipart.NewReader(bytes.NewReader(body), b)); !errors.Is(err, errLongField) {
		t.Errorf("%d fields: %v", maxFields+1, err)
	}
}

// FuzzReadUploadForm: whatever a browser (or anyone with a session) sends
// as the upload form, reading it never panics, keeps every field within
// bounds, and hands back only the file part.
func FuzzReadUploadForm(f *testing.F) {
	body, b := form(f, [][2]string{{"occurrence", "GOV-05/2026-Q3"}, {"performed", "2026-11-30"}}, "minutes.pdf", "%PDF-1.4", nil)
	f.Add(body, b)
	body, b = form(f, nil, "a.txt", "", [][2]string{{"occurrence", "x"}})
	f.Add(body, b)
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x\"\r\n\r\nhi\r\n--b--\r\n"), "b")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		if boundary == "" || len(boundary) > 70 {
			return
		}
		fields, part, err := readUploadForm(multipart.NewReader(bytes.NewReader(body), boundary))
		if len(fields) > maxFields {
			t.Fatalf("%d fields kept", len(fields))
		}
		for k, v := range fields {
			if len(v) > maxField {
				t.Fatalf("field %q kept %d bytes", k, len(v))
			}
		}
		if err == nil && (part == nil || part.FormName() != uploadField) {
			t.Fatalf("no error and no file part: %v", part)
		}
		if part != nil {
			_, _ = io.Copy(io.Discard, part)
		}
	})
}
