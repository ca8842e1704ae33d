package compliance

import (
	"strings"
	"testing"
)

func TestCheckAnswerFiles(t *testing.T) {
	art := func(sum, name string) *Artifact {
		return &Artifact{SHA256: strings.Repeat(sum, 64), Size: 3, ContentType: "text/plain", Filename: name}
	}
	many := make([]AnswerFile, MaxAnswerFiles+1)
	for i := range many {
		many[i] = AnswerFile{EvidenceID: int64(i + 1)}
	}
	cases := []struct {
		name  string
		audit bool
		files []AnswerFile
		want  string // "" accepted; else a word of the refusal
	}{
		{"none anywhere", false, nil, ""},
		{"a file and a row on a request", true, []AnswerFile{{Artifact: art("a", "log.csv")}, {EvidenceID: 7}}, ""},
		{"files on another question", false, []AnswerFile{{EvidenceID: 7}}, "auditor's request"},
		{"too many", true, many, "at most"},
		{"both at once", true, []AnswerFile{{Artifact: art("a", "x"), EvidenceID: 3}}, "both"},
		{"neither", true, []AnswerFile{{}}, "neither"},
		{"a negative row", true, []AnswerFile{{EvidenceID: -1}}, "neither"},
		{"bad hash", true, []AnswerFile{{Artifact: &Artifact{SHA256: "zz", Size: 1, Filename: "x"}}}, "SHA-256"},
		{"a path for a name", true, []AnswerFile{{Artifact: art("b", "../etc/passwd")}}, "plain name"},
		{"same bytes twice", true, []AnswerFile{{Artifact: art("c", "a")}, {Artifact: art("c", "b")}}, "already"},
		{"same row twice", true, []AnswerFile{{EvidenceID: 4}, {EvidenceID: 4}}, "already"},
	}
	for _, c := range cases {
		err := CheckAnswerFiles(c.audit, c.files)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v, want it to say %q", c.name, err, c.want)
		}
	}
}
