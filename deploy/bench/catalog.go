package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
)

// evalBudget is issue 3's budget for evaluating one firm against every
// published policy at 5,000 policies.
const evalBudget = 20 * time.Millisecond

// loadWorkers is how many gRPC clients create and publish policies at once.
// The embedded store takes writes through one connection, so more clients
// only overlap the compiling and the round trips.
const loadWorkers = 4

// engineRuns is how many times the engine alone evaluates the measured firm.
const engineRuns = 300

// evalFirmsWanted is how many imported firms the evaluation requests draw
// from: the measured firm (a complete profile) and a few random ones.
const evalFirmsWanted = 5

// evalPageSize is the page the requests ask for; every call still evaluates
// and ranks every published policy.
const evalPageSize = 20

// catalogRun is what the catalog phase measured and found.
type catalogRun struct {
	Policies    int
	Mix         policyMix
	LoadElapsed time.Duration
	Create      stats
	Publish     stats
	// TenthRates is the load rate over each tenth of the policies.
	TenthRates []float64
	// FirstEval is the first evaluation after loading, which reads and
	// compiles every published policy into the service's cache.
	FirstEval time.Duration
	Firms     []*evalFirm
	Eval      *comparison
	// Engine is NewSubject + EvaluateMany in this process, Many
	// EvaluateMany alone, both over engineRuns runs for the measured firm.
	Engine, Many  stats
	EngineCompile time.Duration
	// EngineCounts are the measured firm's verdicts as the engine alone
	// gives them, made NOT_OPEN by eligibility.OpenAt like the service does.
	EngineCounts map[catalogv1.Verdict]int
	Problems     []string
}

// evalFirm is one firm the evaluation requests are about.
type evalFirm struct {
	ID     string
	Firm   *profilesv1.Firm
	Facts  *catalogv1.FirmFacts
	Counts map[catalogv1.Verdict]int // the service's verdict_counts
}

// verdictOrder is the order the service ranks verdicts in.
var verdictOrder = []catalogv1.Verdict{
	catalogv1.Verdict_VERDICT_ELIGIBLE, catalogv1.Verdict_VERDICT_LIKELY, catalogv1.Verdict_VERDICT_NOT_OPEN,
	catalogv1.Verdict_VERDICT_UNDETERMINED, catalogv1.Verdict_VERDICT_NOT_ELIGIBLE,
}

func verdictName(v catalogv1.Verdict) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(v.String(), "VERDICT_")), "_", " ")
}

// countsText renders verdict counts as "eligible 12 (符合条件) · likely 40 …".
func countsText(counts map[catalogv1.Verdict]int) string {
	var parts []string
	for _, v := range verdictOrder {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%s %s (%s)", verdictName(v), thousands(counts[v]), refdata.Label(v)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

func withToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// loadPolicies creates and publishes every planned policy over gRPC with
// loadWorkers clients and returns them as published, in plan order. Any
// failure is a functional error.
func loadPolicies(ctx context.Context, client catalogv1.CatalogServiceClient, token string, plans []plannedPolicy, progress io.Writer) (published []*catalogv1.Policy, create, publish, finished []time.Duration, elapsed time.Duration, err error) {
	published = make([]*catalogv1.Policy, len(plans))
	create = make([]time.Duration, len(plans))
	publish = make([]time.Duration, len(plans))
	finished = make([]time.Duration, len(plans))
	ctx, cancel := context.WithCancel(withToken(ctx, token))
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var firstErr error
	fail := func(e error) {
		once.Do(func() { firstErr = e; cancel() })
	}
	var done atomic.Int64
	step := max(1, len(plans)/10)
	start := time.Now()
	var wg sync.WaitGroup
	for range min(loadWorkers, len(plans)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plans) || ctx.Err() != nil {
					return
				}
				t := time.Now()
				cr, err := client.CreatePolicy(ctx, &catalogv1.CreatePolicyRequest{Policy: plans[i].policy})
				if err != nil {
					fail(fmt.Errorf("policy %d (%s): CreatePolicy: %w", i+1, plans[i].policy.GetTitle(), err))
					return
				}
				create[i] = time.Since(t)
				t = time.Now()
				pr, err := client.PublishPolicy(ctx, &catalogv1.PublishPolicyRequest{Id: cr.GetPolicy().GetId(), Etag: cr.GetPolicy().GetEtag()})
				if err != nil {
					fail(fmt.Errorf("policy %d (%s, id %s): PublishPolicy: %w", i+1, plans[i].policy.GetTitle(), cr.GetPolicy().GetId(), err))
					return
				}
				publish[i] = time.Since(t)
				if st := pr.GetPolicy().GetStatus(); st != catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED {
					fail(fmt.Errorf("policy %d (id %s): status after PublishPolicy is %s", i+1, pr.GetPolicy().GetId(), st))
					return
				}
				published[i] = pr.GetPolicy()
				finished[i] = time.Since(start)
				if n := int(done.Add(1)); n%step == 0 || n == len(plans) {
					since := time.Since(start)
					fmt.Fprintf(progress, "bench: %s of %s policies created and published in %s (%s policies/s)\n",
						thousands(n), thousands(len(plans)), secs(since), rate(n, since))
				}
			}
		})
	}
	wg.Wait()
	elapsed = time.Since(start)
	if firstErr != nil {
		return nil, nil, nil, nil, 0, firstErr
	}
	slices.Sort(finished)
	return published, create, publish, finished, elapsed, nil
}

// tenthRates returns the load rate in policies/s over each tenth of the
// policies, from the sorted completion times.
func tenthRates(finished []time.Duration) []float64 {
	n := len(finished)
	if n < 10 {
		return nil
	}
	out := make([]float64, 10)
	var prev time.Duration
	for k := range 10 {
		lo, hi := k*n/10, (k+1)*n/10
		end := finished[hi-1]
		if d := end - prev; d > 0 {
			out[k] = float64(hi-lo) / d.Seconds()
		}
		prev = end
	}
	return out
}

// gatewayEvaluate is POST /v1/policies:evaluate for a saved firm, every
// published policy, one page. The body is read whole but not decoded, as
// for GET /v1/firms/{id}.
func gatewayEvaluate(a *api) caller {
	return func(ctx context.Context, id string) error {
		body := fmt.Sprintf(`{"firm_id":%q,"page_size":%d}`, id, evalPageSize)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/v1/policies:evaluate", strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := a.hc.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("POST /v1/policies:evaluate firm %s: HTTP %d", id, resp.StatusCode)
		}
		return nil
	}
}

// grpcEvaluate is the same request over gRPC; it checks that every
// published policy was evaluated.
func grpcEvaluate(client catalogv1.CatalogServiceClient, token string, total int) caller {
	return func(ctx context.Context, id string) error {
		resp, err := client.EvaluatePolicies(withToken(ctx, token), &catalogv1.EvaluatePoliciesRequest{
			Subject: &catalogv1.EvaluatePoliciesRequest_FirmId{FirmId: id}, PageSize: evalPageSize,
		})
		if err != nil {
			return err
		}
		if int(resp.GetTotalSize()) != total {
			return fmt.Errorf("EvaluatePolicies(%s): total_size %d, want %d", id, resp.GetTotalSize(), total)
		}
		return nil
	}
}

// gatewayEvaluation is EvaluatePoliciesResponse as the gateway writes it,
// as far as the checks read it.
type gatewayEvaluation struct {
	Evaluations []struct {
		PolicyID string `json:"policy_id"`
		Verdict  string `json:"verdict"`
		Criteria []struct {
			CriterionID string `json:"criterion_id"`
			Outcome     string `json:"outcome"`
			FirmValue   string `json:"firm_value"`
		} `json:"criteria"`
	} `json:"evaluations"`
	VerdictCounts []struct {
		Verdict string `json:"verdict"`
		Count   int    `json:"count"`
	} `json:"verdict_counts"`
	TotalSize     int    `json:"total_size"`
	NextPageToken string `json:"next_page_token"`
}

// checkEvaluation evaluates one firm over both paths outside any
// measurement and checks the answers: every published policy evaluated,
// one page returned, ranked by verdict, the same counts on both paths.
func checkEvaluation(ctx context.Context, a *api, client catalogv1.CatalogServiceClient, f *evalFirm, total int) (problems []string, err error) {
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("firm %s: ", f.ID)+fmt.Sprintf(format, args...))
	}
	resp, err := client.EvaluatePolicies(withToken(ctx, a.token), &catalogv1.EvaluatePoliciesRequest{
		Subject: &catalogv1.EvaluatePoliciesRequest_FirmId{FirmId: f.ID}, PageSize: evalPageSize,
	})
	if err != nil {
		return nil, fmt.Errorf("EvaluatePolicies(%s): %w", f.ID, err)
	}
	f.Facts = resp.GetFacts()
	f.Counts = map[catalogv1.Verdict]int{}
	sum := 0
	for _, vc := range resp.GetVerdictCounts() {
		f.Counts[vc.GetVerdict()] = int(vc.GetCount())
		sum += int(vc.GetCount())
	}
	wantPage := min(evalPageSize, total)
	if int(resp.GetTotalSize()) != total || sum != total {
		add("gRPC total_size %d, verdict counts sum to %d, want %d (every published policy)", resp.GetTotalSize(), sum, total)
	}
	if len(resp.GetEvaluations()) != wantPage {
		add("gRPC returned %d evaluations, want a page of %d", len(resp.GetEvaluations()), wantPage)
	}
	if (resp.GetNextPageToken() != "") != (total > evalPageSize) {
		add("gRPC next_page_token %q with %d policies", resp.GetNextPageToken(), total)
	}
	rank := func(v catalogv1.Verdict) int { return slices.Index(verdictOrder, v) }
	for i, e := range resp.GetEvaluations() {
		if len(e.GetCriteria()) == 0 {
			add("gRPC evaluation of policy %s has no criteria", e.GetPolicyId())
		}
		if i > 0 && rank(e.GetVerdict()) < rank(resp.GetEvaluations()[i-1].GetVerdict()) {
			add("gRPC evaluations not ranked by verdict at position %d (%s after %s)", i, e.GetVerdict(), resp.GetEvaluations()[i-1].GetVerdict())
		}
	}

	var gw gatewayEvaluation
	if err := a.postJSON(ctx, "/v1/policies:evaluate", map[string]any{"firm_id": f.ID, "page_size": evalPageSize}, &gw); err != nil {
		return nil, err
	}
	gwCounts := map[catalogv1.Verdict]int{}
	for _, vc := range gw.VerdictCounts {
		gwCounts[catalogv1.Verdict(catalogv1.Verdict_value[vc.Verdict])] = vc.Count
	}
	if gw.TotalSize != total || len(gw.Evaluations) != wantPage {
		add("gateway total_size %d with %d evaluations, want %d with %d", gw.TotalSize, len(gw.Evaluations), total, wantPage)
	}
	if !maps.Equal(gwCounts, f.Counts) {
		add("gateway verdict counts %s differ from gRPC's %s", countsText(gwCounts), countsText(f.Counts))
	}
	for i, e := range gw.Evaluations {
		if i < len(resp.GetEvaluations()) && e.PolicyID != resp.GetEvaluations()[i].GetPolicyId() {
			add("gateway and gRPC rank policy %s and %s at position %d", e.PolicyID, resp.GetEvaluations()[i].GetPolicyId(), i)
			break
		}
	}
	return problems, nil
}

// pickEvalFirms reads imported firms over gRPC in random order and returns
// the measured firm — the first with an export value, platforms and HS
// codes, so most criteria have data to decide on — followed by a few others.
func pickEvalFirms(ctx context.Context, profiles profilesv1.ProfilesServiceClient, token string, ids []string, r *rand.Rand) ([]*evalFirm, error) {
	order := r.Perm(len(ids))
	var measured *evalFirm
	var others []*evalFirm
	for n, k := range order {
		if n >= 400 || (measured != nil && len(others) >= evalFirmsWanted-1) {
			break
		}
		resp, err := profiles.GetFirm(withToken(ctx, token), &profilesv1.GetFirmRequest{Id: ids[k]})
		if err != nil {
			return nil, fmt.Errorf("GetFirm(%s): %w", ids[k], err)
		}
		f := &evalFirm{ID: ids[k], Firm: resp.GetFirm()}
		complete := f.Firm.AnnualExportValueFen != nil && len(f.Firm.GetPlatforms()) > 0 && len(f.Firm.GetHsCodes()) > 0
		switch {
		case measured == nil && complete:
			measured = f
		case len(others) < evalFirmsWanted-1:
			others = append(others, f)
		}
	}
	if measured == nil { // no complete profile among them: take any
		if len(others) == 0 {
			return nil, errors.New("no firm to evaluate")
		}
		measured, others = others[0], others[1:]
	}
	return append([]*evalFirm{measured}, others...), nil
}

// firmText describes a firm in one line.
func firmText(f *profilesv1.Firm) string {
	export := "export value not given"
	if f.AnnualExportValueFen != nil {
		export = fmt.Sprintf("export %s万元", thousands(int(f.GetAnnualExportValueFen()/1_000_000)))
	}
	var platforms []string
	for _, p := range f.GetPlatforms() {
		platforms = append(platforms, refdata.Label(p))
	}
	if len(platforms) == 0 {
		platforms = []string{"no platform"}
	}
	return fmt.Sprintf("%s — %s, %s, %s, %s, %s, %s, HS %s, markets %s",
		f.GetName(), refdata.Label(f.GetDistrict()), refdata.Label(f.GetIndustry()), refdata.Label(f.GetStage()),
		refdata.Label(f.GetEmployeesBand()), export, strings.Join(platforms, "/"),
		orDash(strings.Join(f.GetHsCodes(), "/")), orDash(strings.Join(f.GetTargetMarkets(), "/")))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// engineAlone compiles the published policies with a fresh engine and
// evaluates the measured firm against all of them engineRuns times, as the
// service's EvaluatePolicies does per request (NewSubject, then
// EvaluateMany), without storage, RPC or response assembly.
func engineAlone(ctx context.Context, published []*catalogv1.Policy, f *evalFirm, run *catalogRun) error {
	eng, err := eligibility.NewEngine(eligibility.Options{})
	if err != nil {
		return err
	}
	start := time.Now()
	rules := make([]*eligibility.PolicyRules, len(published))
	for i, p := range published {
		r, verr := eng.CompilePolicy(p)
		if verr != nil {
			return fmt.Errorf("compile published policy %s: %w", p.GetId(), verr)
		}
		rules[i] = r
	}
	run.EngineCompile = time.Since(start)

	// The verdicts, made NOT_OPEN outside the application window as the
	// service does, must be the service's.
	now := time.Now()
	results := eng.EvaluateMany(ctx, eng.NewSubject(f.Firm, f.Facts), rules)
	run.EngineCounts = map[catalogv1.Verdict]int{}
	for i, r := range results {
		v := r.Verdict
		p := published[i]
		if open, _ := eligibility.OpenAt(p.GetStatus(), p.GetValidity(), p.GetApplicationWindow(), now); !open {
			v = catalogv1.Verdict_VERDICT_NOT_OPEN
		}
		run.EngineCounts[v]++
	}
	if !maps.Equal(run.EngineCounts, f.Counts) {
		run.Problems = append(run.Problems, fmt.Sprintf("firm %s: the engine alone gives %s, the service %s",
			f.ID, countsText(run.EngineCounts), countsText(f.Counts)))
	}

	for range 10 { // warm up: lazily built programs, caches
		eng.EvaluateMany(ctx, eng.NewSubject(f.Firm, f.Facts), rules)
	}
	runtime.GC() // the compile garbage is not the evaluation's
	total := make([]time.Duration, engineRuns)
	many := make([]time.Duration, engineRuns)
	wall := time.Now()
	for i := range engineRuns {
		t0 := time.Now()
		s := eng.NewSubject(f.Firm, f.Facts)
		t1 := time.Now()
		eng.EvaluateMany(ctx, s, rules)
		t2 := time.Now()
		total[i], many[i] = t2.Sub(t0), t2.Sub(t1)
	}
	elapsed := time.Since(wall)
	run.Engine, run.Many = summarize(total, elapsed), summarize(many, elapsed)
	return nil
}

// runCatalog is the catalog phase: load the policies, check the answers,
// compare the two paths, and time the engine alone.
func runCatalog(ctx context.Context, opts Options, p func(string, ...any), progress io.Writer, a *api, conn *grpc.ClientConn, firmIDs []string) (*catalogRun, error) {
	client := catalogv1.NewCatalogServiceClient(conn)
	profiles := profilesv1.NewProfilesServiceClient(conn)
	run := &catalogRun{Policies: opts.Policies}

	p("== Support policies: one firm evaluated against every published policy (EvaluatePolicies) ==")
	gen := newPolicyGen(opts.Seed, time.Now())
	plans := make([]plannedPolicy, opts.Policies)
	for i := range plans {
		plans[i] = gen.next()
	}
	run.Mix = mixOf(plans)
	stopProfile, err := startCPUProfile(opts.LoadCPUProfile)
	if err != nil {
		return nil, err
	}
	published, create, publish, finished, elapsed, err := loadPolicies(ctx, client, a.token, plans, progress)
	stopProfile()
	if err != nil {
		return nil, err
	}
	run.LoadElapsed, run.Create, run.Publish = elapsed, summarize(create, 0), summarize(publish, 0)
	p("loaded %s policies over gRPC as admin (CreatePolicy + PublishPolicy, %d concurrent clients) in %s (%s policies/s)",
		thousands(opts.Policies), min(loadWorkers, opts.Policies), secs(elapsed), rate(opts.Policies, elapsed))
	p("  CreatePolicy p50 %s / p99 %s; PublishPolicy p50 %s / p99 %s (each with %d clients in flight)",
		ms(run.Create.P50), ms(run.Create.P99), ms(run.Publish.P50), ms(run.Publish.P99), min(loadWorkers, opts.Policies))
	if rates := tenthRates(finished); rates != nil {
		parts := make([]string, len(rates))
		for i, r := range rates {
			parts[i] = fmt.Sprintf("%.0f", r)
		}
		run.TenthRates = rates
		p("  policies/s over each tenth of the load: %s", strings.Join(parts, ", "))
	}
	printMix(p, run.Mix)
	if opts.LoadCPUProfile != "" {
		p("  CPU profile of the load: %s (go tool pprof -top %s)", opts.LoadCPUProfile, opts.LoadCPUProfile)
	}

	picked, err := pickEvalFirms(ctx, profiles, a.token, firmIDs, rand.New(rand.NewPCG(opts.Seed, 0x6576616c))) // "eval"
	if err != nil {
		return nil, err
	}
	run.Firms = picked
	measured := picked[0]

	// The first evaluation loads and compiles every published policy into
	// the service's cache.
	t := time.Now()
	if err := grpcEvaluate(client, a.token, opts.Policies)(ctx, measured.ID); err != nil {
		return nil, err
	}
	run.FirstEval = time.Since(t)
	p("first evaluation after loading (the service reads and compiles every published policy into its cache): %s", ms(run.FirstEval))

	for _, f := range picked {
		probs, err := checkEvaluation(ctx, a, client, f, opts.Policies)
		if err != nil {
			return nil, err
		}
		run.Problems = append(run.Problems, probs...)
	}
	p("firms: %d imported firms, the same random sequence on both paths; measured firm %s: %s", len(picked), measured.ID, firmText(measured.Firm))
	p("every request: {\"firm_id\", \"page_size\": %d}, no policy_ids, so all %s published policies are evaluated and ranked and one page returned",
		evalPageSize, thousands(opts.Policies))
	p("answers checked outside the timing (total_size = %s on both paths, same verdict counts, ranked by verdict): %s",
		thousands(opts.Policies), verdict(run.Problems, -1))

	ids := make([]string, len(picked))
	for i, f := range picked {
		ids[i] = f.ID
	}
	p("%d warm-up + %d measured requests per path, alternating blocks of %d (order swapped every round); gateway POST /v1/policies:evaluate with the admin token, gRPC EvaluatePolicies with the same token",
		opts.EvalWarmup, opts.EvalRequests, opts.EvalBlock)
	stopProfile, err = startCPUProfile(opts.EvalCPUProfile)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x65766c72)) // "evlr"
	run.Eval, err = compare(ctx, ids, gatewayEvaluate(a), grpcEvaluate(client, a.token, opts.Policies),
		opts.EvalRequests, opts.EvalWarmup, opts.EvalBlock, 1, rng)
	stopProfile()
	if err != nil {
		return nil, fmt.Errorf("evaluation: %w", err)
	}
	printComparison(p, run.Eval)
	if opts.EvalCPUProfile != "" {
		p("CPU profile of the evaluation requests (both paths, client and server in this process): %s (go tool pprof -top %s)",
			opts.EvalCPUProfile, opts.EvalCPUProfile)
	}

	if err := engineAlone(ctx, published, measured, run); err != nil {
		return nil, err
	}
	p("-- eligibility engine alone, in this process: the same %s policies compiled with eligibility.NewEngine in %s; %d runs for the measured firm --",
		thousands(opts.Policies), secs(run.EngineCompile), engineRuns)
	p("%-34s %9s %9s %9s %9s %9s", "", "p50", "p90", "p99", "max", "mean")
	p("%-34s %9s %9s %9s %9s %9s", "NewSubject + EvaluateMany", ms(run.Engine.P50), ms(run.Engine.P90), ms(run.Engine.P99), ms(run.Engine.Max), ms(run.Engine.Mean))
	p("%-34s %9s %9s %9s %9s %9s", "EvaluateMany alone", ms(run.Many.P50), ms(run.Many.P90), ms(run.Many.P99), ms(run.Many.Max), ms(run.Many.Mean))
	p("budget (issue 3, ≤ %s at 5,000 policies): engine p50 %s, p99 %s — %s", ms(evalBudget), ms(run.Engine.P50), ms(run.Engine.P99), evalBudgetVerdict(run.Engine.P99, opts.Policies))
	p("service over engine: gRPC p50 %s is %.1f× the engine's %s (+%s: firm read, facts, cache check, assembling and ranking %s evaluations, gRPC); gateway p50 %s — %s",
		ms(run.Eval.GRPC.P50), ratio(run.Eval.GRPC.P50, run.Engine.P50), ms(run.Engine.P50), ms(run.Eval.GRPC.P50-run.Engine.P50),
		thousands(opts.Policies), ms(run.Eval.Gateway.P50), evalBudgetVerdict(run.Eval.Gateway.P50, opts.Policies))
	p("verdicts for the measured firm (service; engine alone agrees: %s): %s", yesNo(maps.Equal(run.EngineCounts, measured.Counts)), countsText(measured.Counts))
	for _, f := range picked[1:] {
		p("  other firm %s (%s, %s, %s): %s", f.ID, refdata.Label(f.Firm.GetDistrict()), refdata.Label(f.Firm.GetIndustry()),
			refdata.Label(f.Firm.GetStage()), countsText(f.Counts))
	}
	return run, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// budgetPolicies is the number of policies issue 3's budget is stated at.
const budgetPolicies = 5000

func evalBudgetVerdict(d time.Duration, policies int) string {
	if policies < budgetPolicies {
		return fmt.Sprintf("the budget is stated at %s policies, this run has %s", thousands(budgetPolicies), thousands(policies))
	}
	if d <= evalBudget {
		return fmt.Sprintf("within budget, %.0f%% of it", 100*float64(d)/float64(evalBudget))
	}
	return fmt.Sprintf("OVER budget, %.1f× it", float64(d)/float64(evalBudget))
}

// printMix describes the generated policies.
func printMix(p func(string, ...any), m policyMix) {
	if m.N == 0 {
		return
	}
	pct := func(n int) string { return fmt.Sprintf("%s (%.0f%%)", thousands(n), 100*float64(n)/float64(m.N)) }
	var levels []string
	for _, l := range []catalogv1.PolicyLevel{catalogv1.PolicyLevel_POLICY_LEVEL_NATIONAL, catalogv1.PolicyLevel_POLICY_LEVEL_PROVINCIAL,
		catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL, catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT} {
		levels = append(levels, fmt.Sprintf("%s %s", refdata.Label(l), thousands(m.Levels[l])))
	}
	p("  levels: %s; limited to districts %s, industries %s, stages %s (implicit criteria)",
		strings.Join(levels, ", "), pct(m.Districts), pct(m.Industries), pct(m.Stages))
	var shapes []string
	for s := range numShapes {
		if m.Shapes[s] > 0 {
			shapes = append(shapes, fmt.Sprintf("%s %s", s, thousands(m.Shapes[s])))
		}
	}
	p("  explicit criteria: %s (%.2f per policy, 1–4): %s", thousands(m.Criteria), float64(m.Criteria)/float64(m.N), strings.Join(shapes, ", "))
	var windows []string
	for k := range numWindowKinds {
		windows = append(windows, fmt.Sprintf("%s %s", k, pct(m.Windows[k])))
	}
	p("  application windows: %s; benefit cap on %s", strings.Join(windows, ", "), pct(m.Capped))
}
