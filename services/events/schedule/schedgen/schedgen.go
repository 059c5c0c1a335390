// Package schedgen generates seeded matchmaking instances for the
// scheduler's tests, benchmarks and load command.
package schedgen

import (
	"fmt"
	"math/rand/v2"

	"github.com/qihang-hz/qihang/services/events/schedule"
)

// Shape is how the requests spread over the counterparts.
type Shape int

const (
	// Uniform spreads requests evenly at random.
	Uniform Shape = iota
	// Popular gives a few counterparts ("popular buyers") one request per
	// slot, and spreads the rest evenly.
	Popular
)

func (s Shape) String() string {
	if s == Popular {
		return "popular"
	}
	return "uniform"
}

// Config describes an instance to generate.
type Config struct {
	Shape        Shape
	Participants int
	// Firms is how many participants are firms; 0 means half.
	Firms  int
	Slots  int
	Tables int
	// Requests is the number of requests wanted; fewer are made when the
	// degree cap (MaxDegree) leaves no room.
	Requests int
	// MaxDegree caps each participant's requests; 0 means Slots.
	MaxDegree int
	// PopularCount is the number of popular counterparts for Popular; 0
	// means 5 % of the counterparts.
	PopularCount int
	// Blocked is the number of distinct slots each participant blocks.
	Blocked int
	Seed    int64
}

// Generate makes a valid instance: distinct firm–counterpart pairs, no
// participant above MaxDegree requests, ids "p0001"…, "r00001"….
func Generate(c Config) schedule.Instance {
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x5eed))
	firms := c.Firms
	if firms <= 0 {
		firms = c.Participants / 2
	}
	maxDeg := c.MaxDegree
	if maxDeg <= 0 {
		maxDeg = c.Slots
	}
	in := schedule.Instance{Slots: c.Slots, Tables: c.Tables}
	for i := 0; i < c.Participants; i++ {
		p := schedule.Participant{ID: fmt.Sprintf("p%04d", i), Side: schedule.SideCounterpart}
		if i < firms {
			p.Side = schedule.SideFirm
		}
		if c.Blocked > 0 {
			for _, s := range rng.Perm(c.Slots)[:min(c.Blocked, c.Slots)] {
				p.Blocked = append(p.Blocked, s)
			}
		}
		in.Participants = append(in.Participants, p)
	}
	deg := make([]int, c.Participants)
	type pair struct{ f, c int }
	have := map[pair]bool{}
	// open lists of participants below the cap, with positions for O(1)
	// removal.
	openF := make([]int, 0, firms)
	openC := make([]int, 0, c.Participants-firms)
	for i := 0; i < c.Participants; i++ {
		if i < firms {
			openF = append(openF, i)
		} else {
			openC = append(openC, i)
		}
	}
	drop := func(list []int, p int) []int {
		for i, q := range list {
			if q == p {
				list[i] = list[len(list)-1]
				return list[:len(list)-1]
			}
		}
		return list
	}
	addEdge := func(f, k int) bool {
		if have[pair{f, k}] || deg[f] >= maxDeg || deg[k] >= maxDeg {
			return false
		}
		have[pair{f, k}] = true
		deg[f]++
		deg[k]++
		if deg[f] >= maxDeg {
			openF = drop(openF, f)
		}
		if deg[k] >= maxDeg {
			openC = drop(openC, k)
		}
		a, b := f, k
		if rng.IntN(2) == 0 {
			a, b = k, f
		}
		in.Requests = append(in.Requests, schedule.Request{ID: fmt.Sprintf("r%05d", len(in.Requests)), A: a, B: b})
		return true
	}
	if c.Shape == Popular {
		n := c.PopularCount
		if n <= 0 {
			n = max(1, (c.Participants-firms)/20)
		}
		for k := firms; k < firms+n && k < c.Participants; k++ {
			for tries := 0; deg[k] < maxDeg && tries < 50*maxDeg && len(in.Requests) < c.Requests && len(openF) > 0; tries++ {
				addEdge(openF[rng.IntN(len(openF))], k)
			}
		}
	}
	for tries := 0; len(in.Requests) < c.Requests && tries < 50*c.Requests && len(openF) > 0 && len(openC) > 0; tries++ {
		addEdge(openF[rng.IntN(len(openF))], openC[rng.IntN(len(openC))])
	}
	return in
}
