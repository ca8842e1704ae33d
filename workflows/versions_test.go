package workflows

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

// TestEveryVersionBranchIsReplayed keeps the GetVersion rule true: every
// change ID the workflow code asks workflow.GetVersion about must appear,
// at its newest version, in a Version marker of some committed history, so
// TestReplayCommittedHistories replays the branch that new runs take. A
// branch that only tests with a knob reach, or that no recorded run took,
// fails here until a history taking it is recorded and committed.
func TestEveryVersionBranchIsReplayed(t *testing.T) {
	inCode := versionsInCode(t)
	require.NotEmpty(t, inCode, "found no workflow.GetVersion calls: the scanner is broken")
	recorded := versionsInHistories(t)
	ids := make([]string, 0, len(inCode))
	for id := range inCode {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		newest := inCode[id]
		files := recorded[id][newest]
		if len(files) == 0 {
			t.Errorf("GetVersion %q: no committed history under testdata/histories records version %d (recorded: %v); record one from a real run (STEADFAST_UPDATE_HISTORIES=1)",
				id, newest, recordedVersions(recorded[id]))
			continue
		}
		t.Logf("%-28s v%d in %s", id, newest, strings.Join(files, ", "))
	}
}

// versionsInCode finds every workflow.GetVersion call in the package's
// non-test files and returns its change ID and newest (maxSupported)
// version. Change IDs are string literals or package constants declared
// with a string literal.
func versionsInCode(t *testing.T) map[string]int {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	consts := map[string]string{}
	type call struct {
		pos        token.Pos
		id, newest ast.Expr
	}
	var calls []call
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, nm := range n.Names {
					if i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, err := strconv.Unquote(lit.Value)
							require.NoError(t, err)
							consts[nm.Name] = s
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "GetVersion" {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "workflow" {
					return true
				}
				require.Len(t, n.Args, 4, "%s: workflow.GetVersion takes four arguments", fset.Position(n.Pos()))
				calls = append(calls, call{pos: n.Pos(), id: n.Args[1], newest: n.Args[3]})
			}
			return true
		})
	}
	out := map[string]int{}
	for _, c := range calls {
		where := fset.Position(c.pos)
		var id string
		switch e := c.id.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			require.NoError(t, err, "%s", where)
			id = s
		case *ast.Ident:
			s, ok := consts[e.Name]
			require.True(t, ok, "%s: change ID %s is not a string constant of this package", where, e.Name)
			id = s
		default:
			t.Fatalf("%s: change ID must be a string literal or constant", where)
		}
		lit, ok := c.newest.(*ast.BasicLit)
		require.True(t, ok && lit.Kind == token.INT, "%s: newest version of %q must be an integer literal", where, id)
		v, err := strconv.Atoi(lit.Value)
		require.NoError(t, err, "%s", where)
		out[id] = max(out[id], v)
	}
	return out
}

// versionsInHistories reads every committed history's Version markers:
// change ID -> version -> files recording it.
func versionsInHistories(t *testing.T) map[string]map[int][]string {
	t.Helper()
	files, err := filepath.Glob("../testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	dc := converter.GetDefaultDataConverter()
	out := map[string]map[int][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var h historypb.History
		require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, &h), "%s", f)
		for _, ev := range h.Events {
			m := ev.GetMarkerRecordedEventAttributes()
			if m.GetMarkerName() != "Version" {
				continue
			}
			var id string
			var v int
			require.NoError(t, dc.FromPayloads(m.GetDetails()["change-id"], &id), "%s event %d", f, ev.GetEventId())
			require.NoError(t, dc.FromPayloads(m.GetDetails()["version"], &v), "%s event %d", f, ev.GetEventId())
			if out[id] == nil {
				out[id] = map[int][]string{}
			}
			base := filepath.Base(f)
			if n := len(out[id][v]); n == 0 || out[id][v][n-1] != base {
				out[id][v] = append(out[id][v], base)
			}
		}
	}
	return out
}

// recordedVersions lists the versions a change ID was recorded at.
func recordedVersions(byVersion map[int][]string) []int {
	vs := make([]int, 0, len(byVersion))
	for v := range byVersion {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	return vs
}
