package schedule_test

import (
	"context"
	"testing"

	"github.com/qihang-hz/qihang/services/events/schedule"
	"github.com/qihang-hz/qihang/services/events/schedule/schedgen"
)

// budgetInstance is the DESIGN.md budget shape: 1,000 participants, 12
// slots, ~5,000 requests, tables for all of them plus 10 %.
func budgetInstance(shape schedgen.Shape, blocked int, seed int64) schedule.Instance {
	return schedgen.Generate(schedgen.Config{
		Shape: shape, Participants: 1000, Slots: 12, Tables: 458, Requests: 5000,
		Blocked: blocked, Seed: seed,
	})
}

func benchSolve(b *testing.B, shape schedgen.Shape, blocked int) {
	in := budgetInstance(shape, blocked, 1)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s, err := schedule.Solve(context.Background(), in, schedule.Options{Seed: int64(i)})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(s.Meetings))/float64(s.UpperBound)*100, "%bound")
	}
}

func BenchmarkSolveUniform(b *testing.B)        { benchSolve(b, schedgen.Uniform, 0) }
func BenchmarkSolvePopular(b *testing.B)        { benchSolve(b, schedgen.Popular, 0) }
func BenchmarkSolveUniformBlocked(b *testing.B) { benchSolve(b, schedgen.Uniform, 2) }
func BenchmarkSolvePopularBlocked(b *testing.B) { benchSolve(b, schedgen.Popular, 2) }

func BenchmarkUpperBound(b *testing.B) {
	in := budgetInstance(schedgen.Uniform, 2, 1)
	for b.Loop() {
		schedule.UpperBound(in)
	}
}

func BenchmarkVerify(b *testing.B) {
	in := budgetInstance(schedgen.Uniform, 2, 1)
	s, err := schedule.Solve(context.Background(), in, schedule.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if v := schedule.Verify(in, s); len(v) > 0 {
			b.Fatal(v[0].Description)
		}
	}
}
