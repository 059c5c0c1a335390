// Command schedbench measures the 1:1 meeting scheduler against the budget
// in DESIGN.md: 1,000 participants, 12 slots, about 5,000 accepted requests,
// in two shapes (uniform, and a few popular buyers with one request per
// slot), first without blocked slots, then with 2 blocked slots per
// participant. Every schedule is checked by the independent verifier.
//
//	go run ./services/events/schedule/cmd/schedbench
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/qihang-hz/qihang/services/events/schedule"
	"github.com/qihang-hz/qihang/services/events/schedule/schedgen"
)

type config struct {
	participants, slots, requests, tables, blocked int
	runs, blockedRuns                              int
	seed                                           int64
	budget                                         time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "schedbench:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context) error {
	var c config
	flag.IntVar(&c.participants, "participants", 1000, "participants (half firms, half counterparts)")
	flag.IntVar(&c.slots, "slots", 12, "slots")
	flag.IntVar(&c.requests, "requests", 5000, "accepted requests wanted")
	flag.IntVar(&c.tables, "tables", 0, "tables; 0 means ceil(requests/slots) plus 10 %")
	flag.IntVar(&c.blocked, "blocked", 2, "blocked slots per participant in the blocked runs")
	flag.IntVar(&c.runs, "runs", 20, "runs per shape without blocked slots")
	flag.IntVar(&c.blockedRuns, "blocked-runs", 20, "runs per shape with blocked slots")
	flag.Int64Var(&c.seed, "seed", 1, "first seed; run i uses seed+i for the instance and the solver")
	flag.DurationVar(&c.budget, "budget", schedule.DefaultTimeBudget, "search time budget per blocked run")
	flag.Parse()
	if c.tables == 0 {
		c.tables = (c.requests+c.slots-1)/c.slots + (c.requests+c.slots-1)/c.slots/10
	}
	fmt.Printf("scheduler load: %d participants, %d slots, %d tables, ~%d requests, seeds %d..\n",
		c.participants, c.slots, c.tables, c.requests, c.seed)
	start := time.Now()
	for _, shape := range []schedgen.Shape{schedgen.Uniform, schedgen.Popular} {
		if err := measure(ctx, c, shape, 0, c.runs); err != nil {
			return err
		}
		if err := measure(ctx, c, shape, c.blocked, c.blockedRuns); err != nil {
			return err
		}
	}
	fmt.Printf("total wall time %.1fs\n", time.Since(start).Seconds())
	return nil
}

func measure(ctx context.Context, c config, shape schedgen.Shape, blocked, runs int) error {
	var times []time.Duration
	var requests, placed, bound, gapsBefore, gapsAfter, iterations int
	var doubles, overfull, other, allPlaced, timedOut int
	worstRatio := 2.0
	for i := 0; i < runs; i++ {
		seed := c.seed + int64(i)
		in := schedgen.Generate(schedgen.Config{
			Shape: shape, Participants: c.participants, Slots: c.slots, Tables: c.tables,
			Requests: c.requests, Blocked: blocked, Seed: seed,
		})
		s, err := schedule.Solve(ctx, in, schedule.Options{Seed: seed, TimeBudget: c.budget})
		if err != nil {
			return fmt.Errorf("%s run %d: %w", shape, i, err)
		}
		times = append(times, s.Stats.Elapsed)
		requests += len(in.Requests)
		placed += len(s.Meetings)
		bound += s.UpperBound
		gapsBefore += s.Stats.IdleGapsBefore
		gapsAfter += s.Stats.IdleGaps
		iterations += s.Stats.Iterations
		if len(s.Meetings) == len(in.Requests) {
			allPlaced++
		}
		if s.Stats.TimedOut {
			timedOut++
		}
		if r := float64(len(s.Meetings)) / float64(s.UpperBound); s.UpperBound > 0 && r < worstRatio {
			worstRatio = r
		}
		for _, v := range schedule.Verify(in, s) {
			switch v.Kind {
			case schedule.ViolationDoubleBooking:
				doubles++
			case schedule.ViolationTableOverfull:
				overfull++
			default:
				other++
			}
		}
	}
	slices.Sort(times)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	fmt.Printf("\n%s, %d blocked slots per participant, %d runs:\n", shape, blocked, runs)
	fmt.Printf("  time       median %s  p99 %s  max %s\n", ms(times[len(times)/2]), ms(percentile(times, 0.99)), ms(times[len(times)-1]))
	fmt.Printf("  placed     %d / %d requests (%.2f %%), every request placed in %d of %d runs\n",
		placed, requests, 100*float64(placed)/float64(requests), allPlaced, runs)
	fmt.Printf("  bound      %d, placed/bound %.2f %% overall, worst run %.2f %%\n",
		bound, 100*float64(placed)/float64(bound), 100*worstRatio)
	if blocked > 0 {
		fmt.Printf("  search     %d iterations per run, stopped by the time budget in %d runs\n", iterations/runs, timedOut)
	}
	fmt.Printf("  idle gaps  %d before, %d after the gap pass (per run %.1f → %.1f)\n",
		gapsBefore, gapsAfter, float64(gapsBefore)/float64(runs), float64(gapsAfter)/float64(runs))
	fmt.Printf("  verifier   %d double bookings, %d over-full tables, %d other violations\n", doubles, overfull, other)
	return nil
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
