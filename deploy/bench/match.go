package main

// The -match mode: issue 4's benchmark of the match service on both search
// engines.
//
//  1. Load once, through the launcher started in this process (embedded
//     store, every service, gateway, match on Bleve): associations over
//     HTTP, member firms as .xlsx imports through the gateway (batches of at
//     most 10,000 rows, members of an association mostly in its industries,
//     a few firms in two associations), association admin accounts, industry
//     belts over HTTP, support policies over gRPC (created and published);
//     then wait until every Bleve index has applied every change and holds
//     every object.
//  2. Each engine in turn, measured as an install runs it, alone:
//     a. an open-loop load at -rate requests/s through the install's
//        gateway: a warm-up, then -match-rounds × -duration measured, the
//        same request sequences on both engines, latency taken from each
//        request's scheduled send time (so a slow server cannot hide its
//        queue). Every answer is checked (HTTP 200, well-formed, sane
//        content).
//     b. freshness: firms' main products rewritten at -write-rate through
//        the gateway, each with a unique word, and the gateway searched for
//        that word until the firm is found.
//     Bleve first, on the launcher that took the load. For Meilisearch the
//     launcher stops and starts again on the same data with
//     --search-engine meilisearch over a real Meilisearch server (the
//     pinned binary); its match service builds every index from the
//     change feeds (timed), and no Bleve index is left in the heap beside
//     it: one process holds every service, and a collection of a heap that
//     still held the Bleve index of 100,000 firms took seconds of a core.
//
// With -match-trace the measured rounds write every request, 100 ms samples
// of the machine, a CPU profile each and Meilisearch's INFO log.
//
// Figures are reported against DESIGN.md's budgets, never asserted; the
// command fails when an answer is wrong or a request fails.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/qihang-hz/qihang/deploy/local/launcher"
)

// The budgets of DESIGN.md and issue 4.
const (
	matchP50Budget  = 10 * time.Millisecond
	matchP99Budget  = 50 * time.Millisecond
	freshnessBudget = 2 * time.Second
)

// Engine names as the flags spell them.
const (
	engineBleve = "bleve"
	engineMeili = "meilisearch"
)

// MatchOptions configures the -match mode.
type MatchOptions struct {
	// Enabled selects the mode.
	Enabled bool
	// Firms, Associations, Policies and Belts are what is loaded.
	Firms, Associations, Policies, Belts int
	// MemberAssociations is how many of the associations receive member
	// firms by import (the others are registered without members).
	MemberAssociations int
	// AssociationAdmins is how many association admin accounts (one per
	// member association, the largest first, at most MemberAssociations)
	// send part of the prospect requests.
	AssociationAdmins int
	// Rate is the request rate of the latency phase, per engine.
	Rate float64
	// Duration is how long each measured phase runs.
	Duration time.Duration
	// Warmup is the unmeasured load before each engine's measured phase.
	Warmup time.Duration
	// WriteRate is the rate of firm updates in the freshness phase.
	WriteRate float64
	// FreshCap is how long a write is waited for before it counts as not
	// seen.
	FreshCap time.Duration
	// PollEvery is how often a pending write is searched for, per engine.
	PollEvery time.Duration
	// Engines lists the engines to measure.
	Engines []string
	// CPUProfile, when set, receives a CPU profile of each engine's
	// measured latency phase (the engine's name is added to the file name).
	CPUProfile string
	// LoadCPUProfile, when set, receives a CPU profile of the firm imports.
	LoadCPUProfile string
	// Rounds is how many measured phases each engine runs after its
	// warm-up (each a new request sequence); the figures pool them and
	// each round's are printed too.
	Rounds int
	// Trace, when set, is a directory that receives every request and a
	// 100 ms machine sample of each round, and Meilisearch's log at INFO.
	Trace string
}

func defaultMatchOptions() MatchOptions {
	return MatchOptions{
		// Ten member associations of 10,000 firms each: on the embedded
		// store every import scans the whole firms collection for its
		// USCCs (an $in filter), so fewer, larger files load fastest.
		Firms: 100_000, Associations: 1000, Policies: 5000, Belts: 40, MemberAssociations: 10, AssociationAdmins: 10,
		Rate: 200, Duration: 20 * time.Second, Warmup: 5 * time.Second, WriteRate: 50,
		FreshCap: 10 * time.Second, PollEvery: 50 * time.Millisecond,
		Engines: []string{engineBleve, engineMeili}, Rounds: 1,
	}
}

// maxMatchFirms bounds -match-firms (an import batch holds 10,000 rows, one
// batch per member association at most).
const maxMatchFirms = 1_000_000

func (m *MatchOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&m.Enabled, "match", m.Enabled, "run the match benchmark (issue 4) instead of the import/read/evaluate benchmark")
	fs.IntVar(&m.Firms, "match-firms", m.Firms, "-match: member firms imported from .xlsx")
	fs.IntVar(&m.Associations, "match-associations", m.Associations, "-match: associations registered")
	fs.IntVar(&m.MemberAssociations, "match-member-associations", m.MemberAssociations, "-match: associations the firms are imported into (the rest have no members)")
	fs.IntVar(&m.AssociationAdmins, "match-association-admins", m.AssociationAdmins, "-match: association admin accounts sending prospect requests for their own association")
	fs.IntVar(&m.Policies, "match-policies", m.Policies, "-match: support policies created and published")
	fs.IntVar(&m.Belts, "match-belts", m.Belts, "-match: published industry belts")
	fs.Float64Var(&m.Rate, "rate", m.Rate, "-match: requests per second of the latency phase (open loop), per engine")
	fs.DurationVar(&m.Duration, "duration", m.Duration, "-match: length of each measured phase (latency per engine, freshness)")
	fs.DurationVar(&m.Warmup, "warmup-duration", m.Warmup, "-match: unmeasured load before each engine's latency phase")
	fs.Float64Var(&m.WriteRate, "write-rate", m.WriteRate, "-match: firm updates per second of the freshness phase")
	fs.DurationVar(&m.FreshCap, "fresh-cap", m.FreshCap, "-match: how long a write is searched for before it counts as not seen")
	fs.DurationVar(&m.PollEvery, "fresh-poll", m.PollEvery, "-match: how often each pending write is searched for, per engine")
	fs.Func("match-engines", "-match: engines to measure, comma-separated (bleve,meilisearch)", func(s string) error {
		m.Engines = nil
		for _, e := range strings.Split(s, ",") {
			if e = strings.TrimSpace(e); e != "" {
				m.Engines = append(m.Engines, e)
			}
		}
		return nil
	})
	fs.StringVar(&m.LoadCPUProfile, "match-load-cpuprofile", m.LoadCPUProfile, "-match: write a CPU profile of the firm imports (with the Bleve indexing they cause) to this file")
	fs.IntVar(&m.Rounds, "match-rounds", m.Rounds, "-match: measured phases per engine after its warm-up, each a new request sequence (figures pool them; each round is printed too)")
	fs.StringVar(&m.Trace, "match-trace", m.Trace, "-match: write every measured request, 100 ms samples of CPU, GC, scheduling latency and delayed TCP ACKs, and Meilisearch's INFO log into this directory")
	fs.StringVar(&m.CPUProfile, "match-cpuprofile", m.CPUProfile, "-match: write a CPU profile of each engine's measured latency phase (file name gets -bleve/-meilisearch)")
}

// Validate checks the options of the -match mode.
func (m *MatchOptions) Validate() error {
	var errs []error
	if m.Firms < 1 || m.Firms > maxMatchFirms {
		errs = append(errs, fmt.Errorf("-match-firms must be between 1 and %d", maxMatchFirms))
	}
	if m.Associations < 1 || m.Associations > 100_000 {
		errs = append(errs, errors.New("-match-associations must be between 1 and 100000"))
	}
	if m.MemberAssociations < 1 || m.MemberAssociations > m.Associations {
		errs = append(errs, errors.New("-match-member-associations must be between 1 and -match-associations"))
	} else if m.Firms > m.MemberAssociations*maxBatchRows {
		errs = append(errs, fmt.Errorf("-match-firms %d do not fit %d member associations of at most %d imported rows each", m.Firms, m.MemberAssociations, maxBatchRows))
	}
	if m.AssociationAdmins < 0 || m.AssociationAdmins > 1000 {
		errs = append(errs, errors.New("-match-association-admins must be between 0 and 1000 (at most one per member association is used)"))
	}
	if m.Policies < 1 || m.Policies > maxPolicies {
		errs = append(errs, fmt.Errorf("-match-policies must be between 1 and %d", maxPolicies))
	}
	if m.Belts < 0 || m.Belts > 500 {
		errs = append(errs, errors.New("-match-belts must be between 0 and 500"))
	}
	if m.Rate <= 0 || m.Rate > 5000 {
		errs = append(errs, errors.New("-rate must be above 0 and at most 5000"))
	}
	if m.Duration < time.Second || m.Duration > time.Hour {
		errs = append(errs, errors.New("-duration must be between 1s and 1h"))
	}
	if m.Warmup < 0 || m.Warmup > 10*time.Minute {
		errs = append(errs, errors.New("-warmup-duration must be between 0 and 10m"))
	}
	if m.Rounds < 1 || m.Rounds > 100 {
		errs = append(errs, errors.New("-match-rounds must be between 1 and 100"))
	}
	if m.WriteRate <= 0 || m.WriteRate > 1000 {
		errs = append(errs, errors.New("-write-rate must be above 0 and at most 1000"))
	} else if int(m.WriteRate*m.Duration.Seconds()) > m.Firms {
		errs = append(errs, errors.New("-write-rate × -duration writes need as many distinct firms: raise -match-firms"))
	}
	if m.FreshCap < 100*time.Millisecond || m.FreshCap > 5*time.Minute {
		errs = append(errs, errors.New("-fresh-cap must be between 100ms and 5m"))
	}
	if m.PollEvery < 5*time.Millisecond || m.PollEvery > time.Second {
		errs = append(errs, errors.New("-fresh-poll must be between 5ms and 1s"))
	}
	if len(m.Engines) == 0 {
		errs = append(errs, errors.New("-match-engines names no engine"))
	}
	seen := map[string]bool{}
	for _, e := range m.Engines {
		if e != engineBleve && e != engineMeili {
			errs = append(errs, fmt.Errorf("-match-engines: %q is neither bleve nor meilisearch", e))
		}
		if seen[e] {
			errs = append(errs, fmt.Errorf("-match-engines names %s twice", e))
		}
		seen[e] = true
	}
	return errors.Join(errs...)
}

// matchCommand is the command line that reproduces a -match run.
func (o *Options) matchCommand() string {
	m, d := o.Match, defaultMatchOptions()
	parts := []string{"go run ./deploy/bench -match",
		fmt.Sprintf("-match-firms %d", m.Firms),
		fmt.Sprintf("-match-associations %d", m.Associations),
		fmt.Sprintf("-match-policies %d", m.Policies),
		fmt.Sprintf("-rate %g", m.Rate),
		fmt.Sprintf("-duration %s", m.Duration),
		fmt.Sprintf("-write-rate %g", m.WriteRate),
	}
	add := func(changed bool, format string, args ...any) {
		if changed {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(m.MemberAssociations != d.MemberAssociations, "-match-member-associations %d", m.MemberAssociations)
	add(m.AssociationAdmins != d.AssociationAdmins, "-match-association-admins %d", m.AssociationAdmins)
	add(m.Belts != d.Belts, "-match-belts %d", m.Belts)
	add(m.Warmup != d.Warmup, "-warmup-duration %s", m.Warmup)
	add(m.FreshCap != d.FreshCap, "-fresh-cap %s", m.FreshCap)
	add(m.PollEvery != d.PollEvery, "-fresh-poll %s", m.PollEvery)
	add(!slices.Equal(m.Engines, d.Engines), "-match-engines %s", strings.Join(m.Engines, ","))
	add(m.Rounds != d.Rounds, "-match-rounds %d", m.Rounds)
	add(o.Seed != DefaultOptions().Seed, "-seed %d", o.Seed)
	return strings.Join(parts, " ")
}

// MatchResult is what one -match run measured and found.
type MatchResult struct {
	Options Options
	Machine string
	Load    *matchLoad
	// Builds holds each engine's index build: for Bleve the catch-up after
	// the load (it followed the feeds throughout), for Meilisearch the
	// first build of a fresh service over the loaded data.
	Builds map[string]*indexBuild
	// Latency holds each engine's measured latency phase.
	Latency map[string]*latencyRun
	// Fresh holds each engine's freshness figures, Writes the writes of
	// its freshness phase.
	Fresh    map[string]*freshRun
	Writes   map[string]*writeStats
	Phases   []phaseTime
	Problems []string
	DataDir  string
}

// phaseTime is one phase's wall time.
type phaseTime struct {
	Name    string
	Elapsed time.Duration
}

// errorCount is the number of failed or wrong answers in the run.
func (r *MatchResult) errorCount() int {
	n := 0
	for _, l := range r.Latency {
		n += l.Total.Errors + l.WarmupErrors
	}
	for _, f := range r.Fresh {
		n += f.Errors
	}
	for _, w := range r.Writes {
		n += w.Errors
	}
	return n
}

// matchMain runs the -match mode and fails when an answer was wrong or a
// request failed, never because of a timing.
func matchMain(ctx context.Context, opts Options, stdout, stderr io.Writer) error {
	res, err := runMatch(ctx, opts, stdout, stderr)
	if err != nil {
		return err
	}
	if n := res.errorCount(); n > 0 || len(res.Problems) > 0 {
		return fmt.Errorf("%d failed or wrong answers; %d problems:\n  %s", n, len(res.Problems), strings.Join(capProblems(res.Problems), "\n  "))
	}
	return nil
}

// runMatch executes the -match mode, printing as it goes.
func runMatch(ctx context.Context, opts Options, out, logOut io.Writer) (*MatchResult, error) {
	mo := opts.Match
	if err := mo.Validate(); err != nil {
		return nil, err
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	p := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\n", args...)
		w.Flush()
	}
	res := &MatchResult{Options: opts, Machine: machine(), Builds: map[string]*indexBuild{},
		Latency: map[string]*latencyRun{}, Fresh: map[string]*freshRun{}, Writes: map[string]*writeStats{}}
	runStart := time.Now()
	phase := func(name string, since time.Time) {
		res.Phases = append(res.Phases, phaseTime{name, time.Since(since)})
	}
	p("Qihang match benchmark (issue 4) — %s", time.Now().Format("2006-01-02 15:04:05 MST"))
	p("machine: %s", res.Machine)
	p("load average at start: %s", loadAverage())
	p("command: %s", opts.matchCommand())
	p("")

	if mo.Trace != "" {
		if err := os.MkdirAll(mo.Trace, 0o755); err != nil {
			return nil, fmt.Errorf("-match-trace: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "qihang-bench-match-")
	if err != nil {
		return nil, err
	}
	res.DataDir = dir
	if !opts.Keep {
		defer os.RemoveAll(dir)
	}
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	cfg := launcher.Defaults()
	cfg.HTTPAddr, cfg.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.DataDir = filepath.Join(dir, "launcher")
	cfg.DemoData = false
	cfg.AdminPassword = password
	cfg.LogLevel = "warn"
	cfg.SearchEngine = engineBleve
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	level, _ := launcher.ParseLevel(cfg.LogLevel)
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))

	// The Meilisearch server starts while the launcher does: it is another
	// process and needs nothing from it.
	wantMeili := slices.Contains(mo.Engines, engineMeili)
	type meiliStart struct {
		m   *meiliServer
		err error
	}
	meiliCh := make(chan meiliStart, 1)
	if wantMeili {
		go func() {
			m, err := startMeili(mo.Trace)
			meiliCh <- meiliStart{m, err}
		}()
	}

	t := time.Now()
	inst, err := startLauncher(ctx, cfg, logger, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	var meili *meiliServer
	// The launcher stops before the Meilisearch server it may be using.
	defer func() {
		inst.stop(logger)
		meili.stop()
	}()
	phase("start the launcher", t)
	p("started: embedded store, services, match on Bleve and gateway in %s (http %s, grpc %s)", secs(time.Since(t)), inst.addrs.HTTP, inst.addrs.GRPC)

	if wantMeili {
		ms := <-meiliCh
		if ms.err != nil {
			return nil, fmt.Errorf("meilisearch: %w", ms.err)
		}
		meili = ms.m
		p("started: Meilisearch %s at %s (pid %d, temporary database, analytics off)", meili.version, meili.url, meili.pid)
	}
	p("")

	// 1. The load.
	admin := newAPI(inst.addrs.HTTP, 8)
	defer func() { admin.close() }()
	if err := admin.login(ctx, "admin", password); err != nil {
		return nil, err
	}
	t = time.Now()
	load, err := loadMatchData(ctx, opts, p, logOut, admin, inst.addrs.GRPC)
	if err != nil {
		return nil, err
	}
	res.Load = load
	res.Problems = append(res.Problems, load.Problems...)
	phase("load associations, firms, accounts, belts and policies", t)
	p("")

	// The Bleve indexes have followed the feeds during the load; wait until
	// they hold everything.
	p("== Indexes ==")
	t = time.Now()
	b, err := waitIndexed(ctx, admin, load.expected(), 10*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("bleve indexes: %w", err)
	}
	b.Engine, b.CatchUp = engineBleve, time.Since(t)
	res.Builds[engineBleve] = b
	phase("Bleve indexes catch up", t)
	p("bleve: followed the feeds during the load; every index caught up %s after the last write (pending changes 0, document counts = sources: %s)",
		secs(b.CatchUp), b.countsText())
	p("")

	// 2. Each engine is measured as an install runs it, alone: latency
	// under the mixed load, then freshness under writes. Bleve first, on
	// the launcher that took the load; then the launcher restarts on the
	// same data with --search-engine meilisearch, so that no Bleve index
	// shares the heap (and the collector's work) with the Meilisearch
	// measure.
	mix := newTrafficMix(load, opts.Seed)
	measure := func(engine string, g *api, stream uint64) error {
		p("== %s: match and search through the gateway, open loop at %g requests/s, %s warm-up + %d × %s measured ==", engine, mo.Rate, mo.Warmup, mo.Rounds, mo.Duration)
		p("mix: %s", mix.describe())
		p("latency runs from each request's scheduled send time to the last byte of its answer (queueing included); every answer checked")
		t := time.Now()
		lr, err := runLatency(ctx, engine, g.base, mix, mo, meili, g.token)
		if err != nil {
			return err
		}
		res.Latency[engine] = lr
		res.Problems = append(res.Problems, lr.Problems...)
		phase(fmt.Sprintf("latency on %s (warm-up and measured)", engine), t)
		printLatency(p, lr, mo)
		p("")

		t = time.Now()
		p("== %s: freshness, firm updates at %g writes/s for %s, each searched for until found ==", engine, mo.WriteRate, mo.Duration)
		fr, ws, err := runFreshness(ctx, g, engine, mo, load, opts.Seed, stream, meili)
		if err != nil {
			return err
		}
		res.Fresh[engine], res.Writes[engine] = fr, ws
		res.Problems = append(res.Problems, fr.Problems...)
		res.Problems = append(res.Problems, ws.Problems...)
		phase(fmt.Sprintf("freshness on %s", engine), t)
		printFreshness(p, mo, ws, fr)
		p("")
		return nil
	}
	if slices.Contains(mo.Engines, engineBleve) {
		if err := measure(engineBleve, admin, 0); err != nil {
			return nil, err
		}
	}

	// 3. Meilisearch: the launcher again, on the same data, with its match
	// service on Meilisearch; it builds every index from the feeds.
	if meili != nil {
		p("== Meilisearch ==")
		t = time.Now()
		inst.stop(logger)
		mcfg := cfg
		mcfg.SearchEngine, mcfg.MeiliURL, mcfg.MeiliKey, mcfg.MeiliPrefix = engineMeili, meili.url, meili.key, "bench_"
		if err := mcfg.Validate(); err != nil {
			return nil, err
		}
		// The launcher is ready once its indexes are built: at 100,000
		// firms that takes Meilisearch minutes.
		if inst, err = startLauncher(ctx, mcfg, logger, 20*time.Minute); err != nil {
			return nil, fmt.Errorf("launcher on meilisearch: %w", err)
		}
		admin.close()
		admin = newAPI(inst.addrs.HTTP, 8)
		if err := admin.login(ctx, "admin", password); err != nil {
			return nil, err
		}
		mb, err := waitIndexed(ctx, admin, load.expected(), 5*time.Minute)
		if err != nil {
			return nil, fmt.Errorf("meilisearch indexes: %w", err)
		}
		mb.Engine, mb.FirstBuild, mb.CatchUp = engineMeili, time.Since(t), time.Since(t)
		res.Builds[engineMeili] = mb
		phase("restart the launcher on Meilisearch and build its indexes", t)
		p("meilisearch: the launcher, stopped and started again on the same data with --search-engine meilisearch (http %s), built every index from the feeds in %s (%s)",
			inst.addrs.HTTP, secs(mb.FirstBuild), mb.countsText())
		p("  Meilisearch database on disk: %s", mib(dirSize(meili.dir)))
		if took, idle := meili.settle(ctx, 3*time.Minute); idle {
			p("  Meilisearch idle %s after the build (under 5%% of a core over 2 s); measuring from there", secs(took))
		} else {
			p("  Meilisearch still busy %s after the build; measuring anyway", secs(took))
		}
		p("")
		if err := measure(engineMeili, admin, 1); err != nil {
			return nil, err
		}
	}

	printMatchSummary(p, res, time.Since(runStart))
	if opts.Keep {
		p("data directory kept: %s", dir)
	}
	return res, nil
}

// install is a running launcher.
type install struct {
	addrs  launcher.Addrs
	cancel context.CancelFunc
	done   chan error
}

// startLauncher starts the launcher with cfg and waits until it serves
// (its indexes built), at most limit.
func startLauncher(ctx context.Context, cfg launcher.Config, logger *slog.Logger, limit time.Duration) (*install, error) {
	runCtx, cancel := context.WithCancel(ctx)
	in := &install{cancel: cancel, done: make(chan error, 1)}
	ready := make(chan launcher.Addrs, 1)
	go func() { in.done <- launcher.Run(runCtx, cfg, logger, func(a launcher.Addrs) { ready <- a }) }()
	select {
	case in.addrs = <-ready:
		return in, nil
	case err := <-in.done:
		cancel()
		in.done = nil
		return nil, fmt.Errorf("launcher: %w", errors.Join(err, errors.New("stopped before it was ready")))
	case <-time.After(limit):
		in.stop(logger)
		return nil, fmt.Errorf("launcher: not ready after %s", limit)
	case <-ctx.Done():
		in.stop(logger)
		return nil, ctx.Err()
	}
}

// stop stops the launcher and waits for it (at most 30 s); stopping twice
// is harmless.
func (in *install) stop(logger *slog.Logger) {
	if in == nil || in.done == nil {
		return
	}
	in.cancel()
	select {
	case err := <-in.done:
		if err != nil {
			logger.Warn("launcher stopped with an error", "err", err)
		}
	case <-time.After(30 * time.Second):
		logger.Warn("launcher did not stop within 30s")
	}
	in.done = nil
}

// loadAverage reads /proc/loadavg (Linux); elsewhere it says so.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return fmt.Sprintf("%s %s %s (1, 5, 15 min) on %d CPUs", f[0], f[1], f[2], runtime.NumCPU())
}

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// dirSize sums the sizes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// printMatchSummary prints the table for the README and the verdicts.
func printMatchSummary(p func(string, ...any), res *MatchResult, total time.Duration) {
	o := res.Options.Match
	p("== Summary (for the README's performance section) ==")
	p("")
	p("| Measure | %s | Budget (DESIGN.md) |", strings.Join(o.Engines, " | "))
	p("| --- |%s --- |", strings.Repeat(" --- |", len(o.Engines)))
	row := func(name string, cell func(engine string) string, budget string) {
		cells := make([]string, len(o.Engines))
		for i, e := range o.Engines {
			cells[i] = cell(e)
		}
		p("| %s | %s | %s |", name, strings.Join(cells, " | "), budget)
	}
	l := res.Load
	row(fmt.Sprintf("Index build with %s firms, %s associations, %s policies, %d belts",
		thousands(l.FirmCount()), thousands(len(l.Associations)), thousands(len(l.PolicyIDs)), len(l.Belts)),
		func(e string) string {
			b := res.Builds[e]
			if b == nil {
				return "—"
			}
			if e == engineBleve {
				return fmt.Sprintf("followed the load; caught up %s after it", secs(b.CatchUp))
			}
			return fmt.Sprintf("first build %s", secs(b.FirstBuild))
		}, "—")
	for _, k := range allCallKinds {
		row(fmt.Sprintf("%s p50 / p99 at %g req/s (mixed load)", k.label(), o.Rate), func(e string) string {
			lr := res.Latency[e]
			if lr == nil {
				return "—"
			}
			s := lr.ByKind[k]
			return fmt.Sprintf("%s / %s", ms(s.P50), ms(s.P99))
		}, "p50 ≤ 10 ms, p99 ≤ 50 ms")
	}
	row(fmt.Sprintf("All match and search calls p50 / p99 at %g req/s", o.Rate), func(e string) string {
		lr := res.Latency[e]
		if lr == nil {
			return "—"
		}
		return fmt.Sprintf("%s / %s (%s)", ms(lr.Total.P50), ms(lr.Total.P99), budgetWord(lr.Total))
	}, "p50 ≤ 10 ms, p99 ≤ 50 ms")
	row(fmt.Sprintf("Freshness p95 at %g writes/s (write acknowledged → found by search)", o.WriteRate), func(e string) string {
		f := res.Fresh[e]
		if f == nil {
			return "—"
		}
		return fmt.Sprintf("%s (p50 %s, p99 %s)", f.pct(0.95), f.pct(0.50), f.pct(0.99))
	}, "≤ 2 s (p95)")
	p("| nDCG@10 of the evaluation set | see `go run ./services/match/eval/cmd/matcheval` | |")
	p("")
	p("Phases:")
	for _, ph := range res.Phases {
		p("  %-58s %9s", ph.Name, secs(ph.Elapsed))
	}
	p("  %-58s %9s", "whole run", secs(total))
	p("load average at the end: %s", loadAverage())
	p("Measured on %s.", res.Machine)
	p("Reproduce: %s", res.Options.matchCommand())
	if n := res.errorCount(); n > 0 || len(res.Problems) > 0 {
		p("")
		p("ERRORS: %d failed or wrong answers", n)
		for _, pr := range capProblems(res.Problems) {
			p("  %s", pr)
		}
	}
}

func budgetWord(s callStats) string {
	switch {
	case s.N == 0:
		return "no requests"
	case s.P50 <= matchP50Budget && s.P99 <= matchP99Budget:
		return "within budget"
	case s.P50 > matchP50Budget && s.P99 > matchP99Budget:
		return "p50 and p99 OVER budget"
	case s.P50 > matchP50Budget:
		return "p50 OVER budget"
	default:
		return "p99 OVER budget"
	}
}
