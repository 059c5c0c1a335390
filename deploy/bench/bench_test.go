package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/catalog/domain"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

// TestRunSmall runs the command's whole code path at small scale — launcher,
// login, association, workbook, both imports, both read paths sequential and
// concurrent, 50 policies loaded and evaluated on both paths and by the
// engine alone — so CI proves `go run ./deploy/bench` works. It asserts the
// import reports and the evaluations, never a timing.
func TestRunSmall(t *testing.T) {
	opts := DefaultOptions()
	opts.Rows, opts.Requests, opts.Warmup, opts.Block, opts.Concurrency = 200, 50, 10, 20, 4
	opts.Policies, opts.EvalRequests, opts.EvalWarmup, opts.EvalBlock = 50, 20, 4, 10
	var out, logs bytes.Buffer
	start := time.Now()
	res, err := run(t.Context(), opts, &out, &logs)
	t.Logf("output:\n%s", out.String())
	if logs.Len() > 0 {
		t.Logf("logs:\n%s", logs.String())
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Logf("took %s", time.Since(start))
	if len(res.Problems) > 0 {
		t.Fatalf("import report inconsistent:\n%s", strings.Join(res.Problems, "\n"))
	}
	if res.Bad != 10 {
		t.Errorf("planted %d bad rows, want 10 (5%% of 200)", res.Bad)
	}
	if got := res.First.Report.Created; got != 190 {
		t.Errorf("first import created %d, want 190", got)
	}
	if got := res.Second.Report.Unchanged; got != 190 {
		t.Errorf("second import: %d unchanged, want 190", got)
	}
	for _, c := range []*comparison{res.Sequential, res.Concurrent} {
		if c == nil {
			t.Fatal("missing a comparison")
		}
		if c.Gateway.N != 50 || c.GRPC.N != 50 {
			t.Errorf("concurrency %d: measured %d gateway and %d gRPC requests, want 50 each", c.Concurrency, c.Gateway.N, c.GRPC.N)
		}
	}
	c := res.Catalog
	if c == nil {
		t.Fatal("the catalog phase did not run")
	}
	if len(c.Problems) > 0 {
		t.Fatalf("policy evaluations inconsistent:\n%s", strings.Join(c.Problems, "\n"))
	}
	if c.Eval.Gateway.N != 20 || c.Eval.GRPC.N != 20 {
		t.Errorf("measured %d gateway and %d gRPC evaluations, want 20 each", c.Eval.Gateway.N, c.Eval.GRPC.N)
	}
	if c.Engine.N != engineRuns {
		t.Errorf("engine alone ran %d times, want %d", c.Engine.N, engineRuns)
	}
	if len(c.Firms) != evalFirmsWanted {
		t.Errorf("evaluated %d firms, want %d", len(c.Firms), evalFirmsWanted)
	}
	sum := 0
	for _, n := range c.Firms[0].Counts {
		sum += n
	}
	if sum != 50 {
		t.Errorf("the measured firm's verdicts count %d policies, want 50", sum)
	}
	for _, want := range []string{"indexing: not yet part of import", "| Gateway / gRPC ratio", "| EvaluatePolicies via gRPC",
		"| Eligibility engine alone", "Reproduce: go run ./deploy/bench -rows 200", "-policies 50 -eval-requests 20"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestWorkbookFailsExactlyThePlantedRows parses the generated workbook with
// the import's own parser: the rows that fail are the planted ones, each on
// its planted column, and every other row is a valid, unique firm.
func TestWorkbookFailsExactlyThePlantedRows(t *testing.T) {
	for _, tc := range []struct {
		rows  int
		share float64
		bad   int
	}{
		{rows: 2000, share: 0.05, bad: 100},
		{rows: 7, share: 0.05, bad: 5}, // at least one of each kind
		{rows: 50, share: 0, bad: 0},
		{rows: 1, share: 0.5, bad: 0}, // a duplicate needs an original
	} {
		wb, err := buildWorkbook(tc.rows, tc.share, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(wb.Bad) != tc.bad {
			t.Errorf("rows %d share %g: planted %d, want %d", tc.rows, tc.share, len(wb.Bad), tc.bad)
		}
		parsed, err := sheets.ParseFirms(wb.Content)
		if err != nil {
			t.Fatalf("rows %d: parse: %v", tc.rows, err)
		}
		if len(parsed.IgnoredColumns) > 0 {
			t.Errorf("ignored columns %v", parsed.IgnoredColumns)
		}
		got := map[int]string{}
		for _, r := range parsed.Rows {
			for _, e := range r.Errors {
				got[r.Number] = e.Column
			}
			if r.Valid() && !uscc.Valid(r.Firm.USCC) {
				t.Errorf("row %d: valid row with invalid USCC %s", r.Number, r.Firm.USCC)
			}
		}
		want := map[int]string{}
		for _, b := range wb.Bad {
			want[b.Row] = b.Kind.column()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			for _, r := range parsed.Rows {
				if len(r.Errors) > 0 {
					t.Logf("row %d: %+v", r.Number, r.Errors)
				}
			}
			t.Errorf("rows %d: failed rows and columns (-planted +parsed):\n%s", tc.rows, diff)
		}
		if len(parsed.Rows) != tc.rows {
			t.Errorf("parsed %d rows, want %d", len(parsed.Rows), tc.rows)
		}
	}
}

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, ms(i))
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", []time.Duration{ms(3)}, 0.99, ms(3)},
		{"median of 100 is the 50th", hundred, 0.50, ms(50)},
		{"p99 of 100 is the 99th", hundred, 0.99, ms(99)},
		{"p100 is the max", hundred, 1, ms(100)},
		{"p99 of 3 is the max", []time.Duration{ms(1), ms(2), ms(3)}, 0.99, ms(3)},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestAssociationUSCCIsValid(t *testing.T) {
	for seed := range uint64(50) {
		if code := associationUSCC(seed); !uscc.Valid(code) {
			t.Errorf("seed %d: %s is invalid", seed, code)
		}
	}
}

// TestRunNoImport runs -rows 0: no import or read phase, a handful of firms,
// the catalog phase at a tiny size.
func TestRunNoImport(t *testing.T) {
	opts := DefaultOptions()
	opts.Rows, opts.Policies, opts.EvalRequests, opts.EvalWarmup, opts.EvalBlock = 0, 10, 4, 2, 2
	var out, logs bytes.Buffer
	res, err := run(t.Context(), opts, &out, &logs)
	if err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, out.String(), logs.String())
	}
	if res.Sequential != nil || res.First.Report != nil {
		t.Error("-rows 0 ran the import or read phase")
	}
	if res.Catalog == nil || len(res.Catalog.Problems) > 0 {
		t.Fatalf("catalog phase: %+v\n%s", res.Catalog, out.String())
	}
	if strings.Contains(out.String(), "| Import") {
		t.Errorf("summary reports an import that did not run:\n%s", out.String())
	}
}

// TestPolicyGenerator checks the generated policies compile and are
// publishable, and that the mix has every shape, window and level.
func TestPolicyGenerator(t *testing.T) {
	eng, err := eligibility.NewEngine(eligibility.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newPolicyGen(3, time.Date(2026, time.November, 25, 12, 0, 0, 0, shanghai))
	var plans []plannedPolicy
	for range 2000 {
		pl := g.next()
		p := pl.policy
		domain.NormalizePolicy(p)
		if v := domain.ValidatePolicy(p); len(v.Violations) > 0 {
			t.Fatalf("%s: %v", p.GetTitle(), v)
		}
		if v := domain.ValidatePublishable(p, false); len(v.Violations) > 0 {
			t.Fatalf("%s: not publishable: %v", p.GetTitle(), v)
		}
		if _, v := eng.CompilePolicy(p); v != nil {
			t.Fatalf("%s: %v", p.GetTitle(), v)
		}
		if n := len(p.GetCriteria()); n < 1 || n > 4 {
			t.Errorf("%s: %d criteria, want 1 to 4", p.GetTitle(), n)
		}
		plans = append(plans, pl)
	}
	m := mixOf(plans)
	for s := range numShapes {
		if m.Shapes[s] == 0 {
			t.Errorf("no criterion of shape %s", s)
		}
	}
	for k := range numWindowKinds {
		if m.Windows[k] == 0 {
			t.Errorf("no policy with window %s", k)
		}
	}
	if len(m.Levels) != 4 || m.Districts == 0 || m.Industries == 0 || m.Stages == 0 || m.Capped == 0 {
		t.Errorf("mix lacks variety: %+v", m)
	}
}
