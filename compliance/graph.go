package compliance

import "sort"

// Graph is the spec's systems as an undirected graph. A connection in a spec
// is written on one system (connected_to) but is a path both ways: the CDE
// that lists a reporting database is reachable from that database too, and
// a scope rule must see it whichever side a consultant wrote it on.
type Graph struct {
	systems map[string]*System
	edges   map[string][]string
}

// NewGraph builds the graph of s's systems. Connections to names that are not
// systems of s are ignored (ParseSpec rejects them).
func NewGraph(s *Spec) *Graph {
	g := &Graph{systems: make(map[string]*System, len(s.Systems)), edges: map[string][]string{}}
	for i := range s.Systems {
		g.systems[s.Systems[i].Name] = &s.Systems[i]
	}
	seen := map[[2]string]bool{}
	add := func(a, b string) {
		if a == b || seen[[2]string{a, b}] {
			return
		}
		seen[[2]string{a, b}], seen[[2]string{b, a}] = true, true
		g.edges[a] = append(g.edges[a], b)
		g.edges[b] = append(g.edges[b], a)
	}
	for _, sys := range s.Systems {
		for _, peer := range sys.ConnectedTo {
			if g.systems[peer] != nil {
				add(sys.Name, peer)
			}
		}
	}
	for _, ns := range g.edges {
		sort.Strings(ns)
	}
	return g
}

// Neighbours lists the systems connected to name, declared on either side,
// sorted by name.
func (g *Graph) Neighbours(name string) []string { return g.edges[name] }

// Reached is a system found by a walk, with the path that reached it (from
// the start to the system, both included).
type Reached struct {
	System *System
	Path   []string
}

// Reach walks from start through in-scope systems only, breadth first, and
// returns every other system the walk touches, nearest first and by name
// within a distance. An excluded system is reported but not walked through:
// it is outside the boundary, so what lies beyond it is its own question.
// The start itself is walked from whatever its scope.
func (g *Graph) Reach(start string) []Reached {
	prev := map[string]string{start: ""}
	queue := []string{start}
	var out []Reached
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range g.edges[cur] {
			if _, seen := prev[next]; seen {
				continue
			}
			prev[next] = cur
			sys := g.systems[next]
			out = append(out, Reached{System: sys, Path: g.path(prev, next)})
			if sys.InScope() {
				queue = append(queue, next)
			}
		}
	}
	return out
}

func (g *Graph) path(prev map[string]string, end string) []string {
	var rev []string
	for n := end; n != ""; n = prev[n] {
		rev = append(rev, n)
	}
	out := make([]string, len(rev))
	for i, n := range rev {
		out[len(rev)-1-i] = n
	}
	return out
}

// FirstInScope returns the nearest in-scope system reachable from start that
// satisfies match, or false when none is.
func (g *Graph) FirstInScope(start string, match func(System) bool) (Reached, bool) {
	for _, r := range g.Reach(start) {
		if r.System.InScope() && match(*r.System) {
			return r, true
		}
	}
	return Reached{}, false
}
