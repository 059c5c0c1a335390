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
//  4. prints a summary table for the README and the command that reproduces
//     it.
//
// It exits non-zero when the import report is inconsistent (wrong failed
// rows, wrong counts) or a request fails, never because of a timing: the
// figures are reported, not asserted.
//
//	go run ./deploy/bench [-rows 10000] [-bad-share 0.05] [-requests 2000] [-concurrency 1] [-keep] [-cpuprofile import.pprof] [-read-cpuprofile read.pprof]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

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
	res, err := run(ctx, opts, stdout, stderr)
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		return fmt.Errorf("import report inconsistent (%d problems):\n  %s", len(res.Problems), strings.Join(res.Problems, "\n  "))
	}
	return nil
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
	// CPUProfile, when set, receives a CPU profile of the first import.
	CPUProfile string
	// ReadCPUProfile, when set, receives a CPU profile of the sequential
	// read comparison (both paths).
	ReadCPUProfile string
}

// DefaultOptions are the figures the README reports.
func DefaultOptions() Options {
	return Options{Rows: 10_000, BadShare: 0.05, Requests: 2000, Warmup: 200, Block: 100, Concurrency: 1, Seed: 1}
}

// Validate checks the options.
func (o *Options) Validate() error {
	var errs []error
	if o.Rows < 1 || o.Rows > sheets.MaxDataRows {
		errs = append(errs, fmt.Errorf("-rows must be between 1 and %d (the import's limit per file)", sheets.MaxDataRows))
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
	fs.StringVar(&o.CPUProfile, "cpuprofile", o.CPUProfile, "write a CPU profile of the first import to this file")
	fs.StringVar(&o.ReadCPUProfile, "read-cpuprofile", o.ReadCPUProfile, "write a CPU profile of the sequential read comparison to this file")
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
	if o.Seed != d.Seed {
		parts = append(parts, fmt.Sprintf("-seed %d", o.Seed))
	}
	return strings.Join(parts, " ")
}
