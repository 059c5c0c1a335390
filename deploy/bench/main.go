// Command bench is Qihang's load command: in one run it starts the whole
// local install in-process (embedded store, services, gateway) on free
// loopback ports with a temporary data directory, then
//
//  1. imports a generated .xlsx of 10,000 plausible member firms, 5 % of them
//     planted bad in five different ways, through the gateway (raw upload),
//     timing the whole HTTP request against DESIGN.md's 30 s budget, and
//     checks that exactly the planted rows fail, each on the right column;
//  2. imports the same file again and checks that it changes nothing;
//  3. measures GET /v1/firms/{id} through the gateway next to the same
//     GetFirm over gRPC, in alternating blocks of the same random ids, and
//     prints p50/p90/p99/max/mean, req/s and the gateway/gRPC ratio;
//  4. creates 5,000 realistic support policies over gRPC as the bootstrap
//     admin (CreatePolicy + PublishPolicy: every level, districts,
//     industries, stages and categories, one to four CEL criteria each, some
//     application rounds closed or not yet open), timing the load; then
//     evaluates a few imported firms against every published policy
//     (POST /v1/policies:evaluate through the gateway next to
//     EvaluatePolicies over gRPC, in alternating blocks), prints
//     p50/p90/p99/max/mean and the ratio, the eligibility engine's own time
//     for the same firm and policies in this process against issue 3's
//     20 ms budget, and the firm's verdicts;
//  5. prints a summary table for the README and the command that reproduces
//     it.
//
// It exits non-zero when the import report is inconsistent (wrong failed
// rows, wrong counts), a policy cannot be created or published, the
// evaluations disagree (between the paths, with the engine, or with the
// number of published policies) or a request fails, never because of a
// timing: the figures are reported, not asserted.
//
// -rows 0 skips the import and read phases and imports a handful of firms
// for the catalog phase; -policies 0 skips the catalog phase.
//
// -match runs the match service's benchmark instead (issue 4; match.go):
// both search engines under an open-loop load of match and search calls
// through the gateway, and the freshness of the indexes under writes.
//
//	go run ./deploy/bench -match [-match-firms 100000] [-match-associations 1000] [-match-policies 5000] [-rate 200] [-duration 20s] [-write-rate 50] [-match-cpuprofile match.pprof]
//	go run ./deploy/bench [-rows 10000] [-bad-share 0.05] [-requests 2000] [-concurrency 1] [-policies 5000] [-eval-requests 300] [-keep] [-cpuprofile import.pprof] [-read-cpuprofile read.pprof] [-load-cpuprofile load.pprof] [-eval-cpuprofile eval.pprof]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if opts.DebugAddr != "" {
		ln, err := net.Listen("tcp", opts.DebugAddr)
		if err != nil {
			return fmt.Errorf("-debug-addr: %w", err)
		}
		srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		fmt.Fprintf(stderr, "bench: pprof at http://%s/debug/pprof/\n", ln.Addr())
	}
	if opts.Match.Enabled {
		return matchMain(ctx, opts, stdout, stderr)
	}
	res, err := run(ctx, opts, stdout, stderr)
	if err != nil {
		return err
	}
	var errs []error
	if len(res.Problems) > 0 {
		errs = append(errs, fmt.Errorf("import report inconsistent (%d problems):\n  %s", len(res.Problems), strings.Join(res.Problems, "\n  ")))
	}
	if c := res.Catalog; c != nil && len(c.Problems) > 0 {
		errs = append(errs, fmt.Errorf("policy evaluations inconsistent (%d problems):\n  %s", len(c.Problems), strings.Join(c.Problems, "\n  ")))
	}
	return errors.Join(errs...)
}

// Options configures one run.
type Options struct {
	// Rows is the number of data rows in the generated workbook.
	Rows int
	// BadShare is the share of rows planted bad (0 to 0.5).
	BadShare float64
	// Requests is the number of measured reads per path.
	Requests int
	// Warmup is the number of unmeasured reads per path first.
	Warmup int
	// Block is how many reads go to one path before switching to the other.
	Block int
	// Concurrency above 1 adds a run with that many concurrent clients per
	// path after the sequential one.
	Concurrency int
	// Seed makes the workbook and the id sequence reproducible.
	Seed uint64
	// Keep keeps the temporary data directory.
	Keep bool
	// DebugAddr serves net/http/pprof while the bench runs.
	DebugAddr string
	// CPUProfile, when set, receives a CPU profile of the first import.
	CPUProfile string
	// ReadCPUProfile, when set, receives a CPU profile of the sequential
	// read comparison (both paths).
	ReadCPUProfile string
	// Policies is the number of published policies the catalog phase
	// creates; 0 skips the phase.
	Policies int
	// EvalRequests is the number of measured evaluations per path.
	EvalRequests int
	// EvalWarmup is the number of unmeasured evaluations per path first.
	EvalWarmup int
	// EvalBlock is how many evaluations go to one path before switching.
	EvalBlock int
	// EvalCPUProfile, when set, receives a CPU profile of the evaluation
	// comparison (both paths).
	EvalCPUProfile string
	// LoadCPUProfile, when set, receives a CPU profile of the policy load.
	LoadCPUProfile string
	// Match configures the -match mode (match.go).
	Match MatchOptions
}

// maxPolicies bounds -policies.
const maxPolicies = 100_000

// DefaultOptions are the figures the README reports.
func DefaultOptions() Options {
	return Options{Rows: 10_000, BadShare: 0.05, Requests: 2000, Warmup: 200, Block: 100, Concurrency: 1, Seed: 1,
		Policies: 5000, EvalRequests: 300, EvalWarmup: 30, EvalBlock: 25, Match: defaultMatchOptions()}
}

// Validate checks the options.
func (o *Options) Validate() error {
	if o.Match.Enabled {
		return o.Match.Validate()
	}
	var errs []error
	if o.Rows < 0 || o.Rows > sheets.MaxDataRows {
		errs = append(errs, fmt.Errorf("-rows must be between 0 and %d (the import's limit per file)", sheets.MaxDataRows))
	}
	if o.Policies < 0 || o.Policies > maxPolicies {
		errs = append(errs, fmt.Errorf("-policies must be between 0 and %d", maxPolicies))
	}
	if o.Rows == 0 && o.Policies == 0 {
		errs = append(errs, errors.New("-rows 0 with -policies 0 leaves nothing to measure"))
	}
	if o.EvalRequests < 1 {
		errs = append(errs, errors.New("-eval-requests must be at least 1"))
	}
	if o.EvalWarmup < 0 {
		errs = append(errs, errors.New("-eval-warmup must not be negative"))
	}
	if o.EvalBlock < 1 {
		errs = append(errs, errors.New("-eval-block must be at least 1"))
	}
	if o.BadShare < 0 || o.BadShare > 0.5 {
		errs = append(errs, errors.New("-bad-share must be between 0 and 0.5"))
	}
	if o.Requests < 1 {
		errs = append(errs, errors.New("-requests must be at least 1"))
	}
	if o.Warmup < 0 {
		errs = append(errs, errors.New("-warmup must not be negative"))
	}
	if o.Block < 1 {
		errs = append(errs, errors.New("-block must be at least 1"))
	}
	if o.Concurrency < 1 || o.Concurrency > 256 {
		errs = append(errs, errors.New("-concurrency must be between 1 and 256"))
	}
	return errors.Join(errs...)
}

func parseFlags(args []string, stderr io.Writer) (Options, error) {
	o := DefaultOptions()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Rows, "rows", o.Rows, "data rows in the generated .xlsx")
	fs.Float64Var(&o.BadShare, "bad-share", o.BadShare, "share of rows planted bad (bad USCC check character, 5-digit HS code, unknown district, duplicate USCC, malformed phone)")
	fs.IntVar(&o.Requests, "requests", o.Requests, "measured GET /v1/firms/{id} requests per path (gateway and gRPC)")
	fs.IntVar(&o.Warmup, "warmup", o.Warmup, "unmeasured warm-up requests per path")
	fs.IntVar(&o.Block, "block", o.Block, "requests sent to one path before alternating to the other")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "when above 1, also measure with this many concurrent clients per path")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the generated firms and the request sequence")
	fs.BoolVar(&o.Keep, "keep", o.Keep, "keep the temporary data directory (printed at the end)")
	fs.StringVar(&o.DebugAddr, "debug-addr", "", "serve net/http/pprof at this address (e.g. 127.0.0.1:6060) while the bench runs: goroutine dumps and profiles of any window")
	fs.StringVar(&o.CPUProfile, "cpuprofile", o.CPUProfile, "write a CPU profile of the first import to this file")
	fs.StringVar(&o.ReadCPUProfile, "read-cpuprofile", o.ReadCPUProfile, "write a CPU profile of the sequential read comparison to this file")
	fs.IntVar(&o.Policies, "policies", o.Policies, "published support policies to create for the evaluation phase (0 skips it)")
	fs.IntVar(&o.EvalRequests, "eval-requests", o.EvalRequests, "measured evaluations of one firm against every published policy, per path (gateway and gRPC)")
	fs.IntVar(&o.EvalWarmup, "eval-warmup", o.EvalWarmup, "unmeasured warm-up evaluations per path")
	fs.IntVar(&o.EvalBlock, "eval-block", o.EvalBlock, "evaluations sent to one path before alternating to the other")
	fs.StringVar(&o.EvalCPUProfile, "eval-cpuprofile", o.EvalCPUProfile, "write a CPU profile of the evaluation comparison to this file")
	fs.StringVar(&o.LoadCPUProfile, "load-cpuprofile", o.LoadCPUProfile, "write a CPU profile of creating and publishing the policies to this file")
	o.Match.register(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return o, o.Validate()
}

// command returns the command line that reproduces a run with o.
func (o *Options) command() string {
	d := DefaultOptions()
	parts := []string{"go run ./deploy/bench",
		fmt.Sprintf("-rows %d", o.Rows),
		fmt.Sprintf("-bad-share %g", o.BadShare),
		fmt.Sprintf("-requests %d", o.Requests),
		fmt.Sprintf("-concurrency %d", o.Concurrency),
	}
	if o.Warmup != d.Warmup {
		parts = append(parts, fmt.Sprintf("-warmup %d", o.Warmup))
	}
	if o.Block != d.Block {
		parts = append(parts, fmt.Sprintf("-block %d", o.Block))
	}
	parts = append(parts, fmt.Sprintf("-policies %d", o.Policies))
	if o.Policies > 0 {
		parts = append(parts, fmt.Sprintf("-eval-requests %d", o.EvalRequests))
		if o.EvalWarmup != d.EvalWarmup {
			parts = append(parts, fmt.Sprintf("-eval-warmup %d", o.EvalWarmup))
		}
		if o.EvalBlock != d.EvalBlock {
			parts = append(parts, fmt.Sprintf("-eval-block %d", o.EvalBlock))
		}
	}
	if o.Seed != d.Seed {
		parts = append(parts, fmt.Sprintf("-seed %d", o.Seed))
	}
	return strings.Join(parts, " ")
}
