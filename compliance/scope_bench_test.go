package compliance

import (
	"fmt"
	"testing"
)

// wideSpec is the Kelp Health example grown to n systems: a chain of
// in-scope services with an excluded tool hanging off every tenth, the
// shape that makes the graph rules walk furthest.
func wideSpec(b *testing.B, n int) *Spec {
	s, err := LoadSpec("../examples/kelp-health.yaml")
	if err != nil {
		b.Fatal(err)
	}
	prev := "api"
	for i := 0; i < n; i++ {
		sys := System{Name: fmt.Sprintf("svc-%d", i), Kind: KindApplication, Environment: EnvProduction,
			Data: []DataClass{DataCustomer}, Scope: ScopeIn, ConnectedTo: []string{prev}}
		if i%10 == 0 {
			sys.Kind, sys.Scope, sys.Rationale = KindCICD, ScopeExcluded, "x"
		}
		s.Systems = append(s.Systems, sys)
		prev = sys.Name
	}
	return s
}

// go test -run '^$' -bench BenchmarkAssessScope -benchmem ./compliance/
func BenchmarkAssessScope(b *testing.B) {
	for _, n := range []int{0, 100, 1000} {
		s := wideSpec(b, n)
		b.Run(fmt.Sprintf("systems=%d", len(s.Systems)), func(b *testing.B) {
			for b.Loop() {
				AssessScope(s, Plan{Fits: true})
			}
		})
	}
}
