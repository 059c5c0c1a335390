package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// callKind is one kind of request of the latency phase.
type callKind int

const (
	callPolicies callKind = iota
	callAssociations
	callBelts
	callProspects
	callSearchText
	callSearchFilters
	numCallKinds
)

var allCallKinds = []callKind{callPolicies, callAssociations, callBelts, callProspects, callSearchText, callSearchFilters}

// callWeights is the mix, in percent.
var callWeights = [numCallKinds]int{
	callPolicies: 20, callAssociations: 15, callBelts: 15, callProspects: 15, callSearchText: 25, callSearchFilters: 10,
}

func (k callKind) label() string {
	return [...]string{
		"GET /v1/firms/{id}/matches/policies",
		"GET /v1/firms/{id}/matches/associations",
		"GET /v1/firms/{id}/matches/belts",
		"GET /v1/associations/{id}/prospects",
		"GET /v1/search?q=…&facets=…",
		"GET /v1/search (filters only)",
	}[k]
}

func (k callKind) short() string {
	return [...]string{"firm → policies", "firm → associations", "firm → belts", "association → prospects", "search, text", "search, filters"}[k]
}

// trafficRequest is one request of the load.
type trafficRequest struct {
	kind  callKind
	path  string
	token string
	// firmsOnly: a search whose hits must all be firms.
	firmsOnly bool
	facets    int
}

// trafficMix draws the load's requests over the loaded data.
type trafficMix struct {
	load       *matchLoad
	seed       uint64
	adminToken string
	words      []string
}

// searchWords are what people type: the firms' products (whole and first
// two characters), the policies' and belts' words.
func searchWords() []string {
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, t := range trades {
		for _, pr := range t.products {
			add(pr.name)
			if r := []rune(pr.name); len(r) > 2 {
				add(string(r[:2]))
			}
		}
		for _, w := range t.words {
			add(w[0])
		}
	}
	for _, w := range []string{"跨境电商", "海外仓", "出口信用保险", "品牌出海", "展会补助", "贴息", "首单奖励", "独立站", "羽绒 被", "真丝 围巾"} {
		add(w)
	}
	return out
}

func newTrafficMix(load *matchLoad, seed uint64) *trafficMix {
	return &trafficMix{load: load, seed: seed, words: searchWords()}
}

// describe says what the mix is made of.
func (m *trafficMix) describe() string {
	var parts []string
	for _, k := range allCallKinds {
		parts = append(parts, fmt.Sprintf("%d%% %s", callWeights[k], k.label()))
	}
	who := "bureau admin"
	if n := len(m.load.Admins); n > 0 {
		who = fmt.Sprintf("bureau admin; half the prospect requests by %d association admins for their own association", n)
	}
	return fmt.Sprintf("%s; random firms (of %s) and associations (of %s), %d search words; signed in as %s",
		strings.Join(parts, ", "), thousands(len(m.load.FirmIDs)), thousands(len(m.load.Associations)), len(m.words), who)
}

var (
	allStages = []commonv1.CrossBorderStage{
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND,
	}
	allNeeds = []commonv1.NeedTag{
		commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE,
		commonv1.NeedTag_NEED_TAG_PAYMENT_FX, commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX,
		commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_FINANCING, commonv1.NeedTag_NEED_TAG_MARKETING,
	}
)

// sequence returns n requests drawn from the stream: the same stream gives
// the same requests, so every engine answers the same sequence.
func (m *trafficMix) sequence(n int, stream uint64, adminToken string) []trafficRequest {
	r := rand.New(rand.NewPCG(m.seed, 0x74726166+stream)) // "traf"
	weights := callWeights[:]
	l := m.load
	out := make([]trafficRequest, n)
	for i := range out {
		k := callKind(weighted(r, weights))
		req := trafficRequest{kind: k, token: adminToken}
		q := url.Values{}
		firm := func() string { return l.FirmIDs[r.IntN(len(l.FirmIDs))] }
		switch k {
		case callPolicies:
			if r.IntN(10) < 3 {
				q.Add("verdicts", "VERDICT_ELIGIBLE")
				q.Add("verdicts", "VERDICT_LIKELY")
			}
			req.path = "/v1/firms/" + url.PathEscape(firm()) + "/matches/policies"
		case callAssociations:
			req.path = "/v1/firms/" + url.PathEscape(firm()) + "/matches/associations"
		case callBelts:
			req.path = "/v1/firms/" + url.PathEscape(firm()) + "/matches/belts"
		case callProspects:
			assoc := l.Associations[r.IntN(len(l.Associations))].ID
			if len(l.Admins) > 0 && r.IntN(2) == 0 {
				a := l.Admins[r.IntN(len(l.Admins))]
				assoc, req.token = a.AssociationID, a.Token
			}
			switch r.IntN(10) {
			case 0, 1, 2:
				q.Set("membership", "PROSPECT_MEMBERSHIP_NON_MEMBERS")
			case 3:
				q.Set("membership", "PROSPECT_MEMBERSHIP_MEMBERS")
			case 4:
				q.Add("stages", "CROSS_BORDER_STAGE_EXPLORING")
				q.Add("stages", "CROSS_BORDER_STAGE_FIRST_STORE_OPENED")
			}
			req.path = "/v1/associations/" + url.PathEscape(assoc) + "/prospects"
		case callSearchText:
			q.Set("q", pick(r, m.words))
			q.Add("facets", "SEARCH_FACET_KIND")
			q.Add("facets", "SEARCH_FACET_DISTRICT")
			req.facets = 2
			if r.IntN(10) < 3 {
				q.Set("kinds", "DOCUMENT_KIND_FIRM")
				q.Add("facets", "SEARCH_FACET_INDUSTRY")
				req.firmsOnly, req.facets = true, 3
			}
		case callSearchFilters:
			q.Set("kinds", "DOCUMENT_KIND_FIRM")
			req.firmsOnly = true
			for _, f := range r.Perm(7)[:1+r.IntN(2)] {
				switch f {
				case 0:
					q.Add("districts", pick(r, benchDistricts).d.String())
				case 1:
					q.Add("industries", pick(r, trades).industry.String())
				case 2:
					q.Add("stages", pick(r, allStages).String())
				case 3:
					q.Add("platforms", pick(r, pick(r, trades).platforms).String())
				case 4:
					q.Add("markets", pick(r, pick(r, trades).markets))
				case 5:
					t := pick(r, trades)
					if hs := pick(r, t.products).hs; hs != "" {
						q.Add("hs_chapters", hs[:2])
					} else {
						q.Add("industries", t.industry.String())
					}
				case 6:
					q.Add("needs", pick(r, allNeeds).String())
				}
			}
			for _, f := range []string{"SEARCH_FACET_INDUSTRY", "SEARCH_FACET_STAGE", "SEARCH_FACET_PLATFORM"} {
				q.Add("facets", f)
			}
			req.facets = 3
		}
		if k == callSearchText || k == callSearchFilters {
			req.path = "/v1/search"
		}
		if len(q) > 0 {
			req.path += "?" + q.Encode()
		}
		out[i] = req
	}
	return out
}

// sample is one request's outcome.
type sample struct {
	kind  callKind
	lat   time.Duration // from the scheduled send time to the last byte
	late  time.Duration // how late the request was actually sent
	end   time.Time
	err   error
	empty bool
}

// requestTimeout bounds one request of the load.
const requestTimeout = 10 * time.Second

// fire sends reqs open loop at rate requests/s to base: request i is due at
// start + i/rate whatever happened to the earlier ones.
func fire(ctx context.Context, hc *http.Client, base string, reqs []trafficRequest, rate float64) (samples []sample, wall time.Duration) {
	samples = make([]sample, len(reqs))
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now().Add(5 * time.Millisecond)
	var wg sync.WaitGroup
	for i, rq := range reqs {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			samples = samples[:i]
			break
		}
		wg.Go(func() {
			samples[i] = doRequest(ctx, hc, base, rq, due)
		})
	}
	wg.Wait()
	var last time.Time
	for _, s := range samples {
		if s.end.After(last) {
			last = s.end
		}
	}
	return samples, last.Sub(start)
}

// doRequest sends one request and checks its answer; the latency is taken
// before the check.
func doRequest(ctx context.Context, hc *http.Client, base string, rq trafficRequest, due time.Time) sample {
	s := sample{kind: rq.kind, late: time.Since(due)}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+rq.path, nil)
	if err != nil {
		s.err = err
		return s
	}
	req.Header.Set("Authorization", "Bearer "+rq.token)
	resp, err := hc.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	s.end = time.Now()
	s.lat = s.end.Sub(due)
	switch {
	case err != nil:
		s.err = fmt.Errorf("%s: %w", rq.path, err)
	case resp.StatusCode != http.StatusOK:
		s.err = fmt.Errorf("%s: HTTP %d: %.300s", rq.path, resp.StatusCode, body)
	default:
		s.empty, err = checkAnswer(rq, body)
		if err != nil {
			s.err = fmt.Errorf("%s: %w: %.300s", rq.path, err, body)
		}
	}
	return s
}

// matchesJSON is any match list as the gateway writes it.
type matchesJSON struct {
	Matches []struct {
		Rank       int     `json:"rank"`
		Score      float64 `json:"score"`
		Kind       string  `json:"kind"`
		ID         string  `json:"id"`
		Title      string  `json:"title"`
		Evaluation *struct {
			Verdict string `json:"verdict"`
		} `json:"evaluation"`
		Reasons []struct {
			Code string `json:"code"`
			Text string `json:"text"`
		} `json:"reasons"`
	} `json:"matches"`
	VerdictCounts []struct {
		Verdict string `json:"verdict"`
		Count   int    `json:"count"`
	} `json:"verdict_counts"`
	TotalSize int `json:"total_size"`
}

// searchJSON is SearchResponse as the gateway writes it.
type searchJSON struct {
	Hits []struct {
		Kind  string  `json:"kind"`
		ID    string  `json:"id"`
		Title string  `json:"title"`
		Rank  int     `json:"rank"`
		Score float64 `json:"score"`
	} `json:"hits"`
	TotalSize int `json:"total_size"`
	Facets    []struct {
		Facet  string `json:"facet"`
		Values []struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"values"`
	} `json:"facets"`
}

var matchKind = map[callKind]string{
	callPolicies: "DOCUMENT_KIND_POLICY", callAssociations: "DOCUMENT_KIND_ASSOCIATION",
	callBelts: "DOCUMENT_KIND_INDUSTRY_BELT", callProspects: "DOCUMENT_KIND_FIRM",
}

var searchKinds = []string{"DOCUMENT_KIND_FIRM", "DOCUMENT_KIND_ASSOCIATION", "DOCUMENT_KIND_POLICY", "DOCUMENT_KIND_INDUSTRY_BELT", "DOCUMENT_KIND_EXPERT"}

// checkAnswer checks that an answer is well-formed and sane: 1-based ranks
// in order, the right kind, ids and titles, scores in [0, 1], every policy
// evaluated, facet counts as asked. empty reports an answer with no result.
func checkAnswer(rq trafficRequest, body []byte) (empty bool, err error) {
	switch rq.kind {
	case callSearchText, callSearchFilters:
		var s searchJSON
		if err := json.Unmarshal(body, &s); err != nil {
			return false, err
		}
		for i, h := range s.Hits {
			if h.Rank != i+1 || h.ID == "" || h.Title == "" || !slices.Contains(searchKinds, h.Kind) || (rq.firmsOnly && h.Kind != "DOCUMENT_KIND_FIRM") {
				return false, fmt.Errorf("hit %d: rank %d, kind %s, id %q, title %q", i, h.Rank, h.Kind, h.ID, h.Title)
			}
		}
		if s.TotalSize < len(s.Hits) {
			return false, fmt.Errorf("total_size %d with %d hits", s.TotalSize, len(s.Hits))
		}
		if len(s.Facets) != rq.facets {
			return false, fmt.Errorf("%d facets, asked for %d", len(s.Facets), rq.facets)
		}
		return len(s.Hits) == 0, nil
	default:
		var m matchesJSON
		if err := json.Unmarshal(body, &m); err != nil {
			return false, err
		}
		for i, x := range m.Matches {
			if x.Rank != i+1 || x.Kind != matchKind[rq.kind] || x.ID == "" || x.Title == "" || x.Score < 0 || x.Score > 1 {
				return false, fmt.Errorf("match %d: rank %d, kind %s, id %q, title %q, score %g", i, x.Rank, x.Kind, x.ID, x.Title, x.Score)
			}
			if rq.kind == callPolicies && (x.Evaluation == nil || x.Evaluation.Verdict == "") {
				return false, fmt.Errorf("policy match %d (%s) without an evaluation", i, x.ID)
			}
			for _, rs := range x.Reasons {
				if rs.Code == "" || rs.Text == "" {
					return false, fmt.Errorf("match %d (%s): a reason without code or text", i, x.ID)
				}
			}
		}
		if m.TotalSize < len(m.Matches) {
			return false, fmt.Errorf("total_size %d with %d matches", m.TotalSize, len(m.Matches))
		}
		if rq.kind == callPolicies && len(m.Matches) > 0 && len(m.VerdictCounts) == 0 {
			return false, fmt.Errorf("policy matches without verdict counts")
		}
		return len(m.Matches) == 0, nil
	}
}

// callStats summarises one kind's (or every kind's) requests.
type callStats struct {
	N, Errors, Empty         int
	P50, P90, P99, Max, Mean time.Duration
	// Rate is answers per second over the measured phase's wall time.
	Rate float64
}

func summarizeCalls(samples []sample, wall time.Duration) callStats {
	lat := make([]time.Duration, 0, len(samples))
	cs := callStats{}
	for _, s := range samples {
		if s.err != nil {
			cs.Errors++
		}
		if s.empty {
			cs.Empty++
		}
		lat = append(lat, s.lat)
	}
	st := summarize(lat, wall)
	cs.N, cs.P50, cs.P90, cs.P99, cs.Max, cs.Mean, cs.Rate = st.N, st.P50, st.P90, st.P99, st.Max, st.Mean, st.RPS
	return cs
}

// latencyRun is one engine's latency phase.
type latencyRun struct {
	Engine       string
	WarmupN      int
	WarmupErrors int
	Total        callStats
	ByKind       map[callKind]callStats
	// Late is the sender's own lateness (p99, max): how far behind its
	// schedule the load generator sent.
	LateP99, LateMax time.Duration
	Wall             time.Duration
	// CPU is this process's CPU time over the measured phase (every
	// service, the gateways, Bleve and the load generator); MeiliCPU the
	// Meilisearch server's.
	CPU, MeiliCPU time.Duration
	// DelayedACKs counts the kernel's delayed TCP acknowledgements over
	// the measured phase (every connection of the machine; -1 unknown).
	DelayedACKs int64
	// Rounds are the measured rounds one by one (-match-rounds).
	Rounds   []roundStats
	Problems []string
}

// roundStats is one measured round of an engine.
type roundStats struct {
	Total         callStats
	Wall          time.Duration
	CPU, MeiliCPU time.Duration
	DelayedACKs   int64
}

// measuredRound is a round with its samples.
type measuredRound struct {
	roundStats
	samples []sample
}

// measureRound fires one round's request sequence (stream 1+round, so the
// first round is the sequence a one-round run measures) and, with
// -match-trace, writes its request and machine files.
func measureRound(ctx context.Context, hc *http.Client, engine, base string, mix *trafficMix, mo MatchOptions, meili *meiliServer, adminToken string, round int) (*measuredRound, error) {
	reqs := mix.sequence(max(1, int(mo.Rate*mo.Duration.Seconds())), uint64(1+round), adminToken)
	start := time.Now()
	var sampler *machineSampler
	stopProfile := func() {}
	if mo.Trace != "" {
		var err error
		if sampler, err = startMachineSampler(traceFile(mo.Trace, "samples", engine, round, "csv"), start, meili); err != nil {
			return nil, err
		}
		// One CPU profile per round, unless -match-cpuprofile takes the
		// whole phase (one profile runs at a time).
		if mo.CPUProfile == "" {
			if stopProfile, err = startCPUProfile(traceFile(mo.Trace, "cpu", engine, round, "pprof")); err != nil {
				_ = sampler.close()
				return nil, err
			}
		}
	}
	cpu0, m0, ack0 := processCPU(), meili.cpu(), delayedACKs()
	samples, wall := fire(ctx, hc, base, reqs, mo.Rate)
	mr := &measuredRound{samples: samples}
	mr.CPU, mr.MeiliCPU, mr.Wall = processCPU()-cpu0, meili.cpu()-m0, wall
	if ack1 := delayedACKs(); ack0 >= 0 && ack1 >= 0 {
		mr.DelayedACKs = ack1 - ack0
	} else {
		mr.DelayedACKs = -1
	}
	stopProfile()
	mr.Total = summarizeCalls(samples, wall)
	if sampler != nil {
		if err := errors.Join(sampler.close(), writeRequestTrace(traceFile(mo.Trace, "requests", engine, round, "csv"), start, samples)); err != nil {
			return nil, fmt.Errorf("-match-trace: %w", err)
		}
	}
	return mr, ctx.Err()
}

// runLatency runs one engine's warm-up and measured phase.
func runLatency(ctx context.Context, engine, base string, mix *trafficMix, mo MatchOptions, meili *meiliServer, adminToken string) (*latencyRun, error) {
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2048, MaxIdleConnsPerHost: 2048, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
	defer hc.CloseIdleConnections()
	lr := &latencyRun{Engine: engine, ByKind: map[callKind]callStats{}}
	if mo.Warmup > 0 {
		warm := mix.sequence(max(1, int(mo.Rate*mo.Warmup.Seconds())), 1, adminToken)
		ws, _ := fire(ctx, hc, base, warm, mo.Rate)
		lr.WarmupN = len(ws)
		for _, s := range ws {
			if s.err != nil {
				lr.WarmupErrors++
				if lr.WarmupErrors <= 3 {
					lr.Problems = append(lr.Problems, fmt.Sprintf("%s warm-up: %v", engine, s.err))
				}
			}
		}
	}
	profile := ""
	if mo.CPUProfile != "" {
		profile = strings.TrimSuffix(mo.CPUProfile, ".pprof") + "-" + engine + ".pprof"
	}
	stopProfile, err := startCPUProfile(profile)
	if err != nil {
		return nil, err
	}
	stopProfile = sync.OnceFunc(stopProfile)
	defer stopProfile()
	var samples []sample
	var wall time.Duration
	for round := 1; round <= mo.Rounds; round++ {
		rs, err := measureRound(ctx, hc, engine, base, mix, mo, meili, adminToken, round)
		if err != nil {
			return nil, err
		}
		samples = append(samples, rs.samples...)
		wall += rs.Wall
		lr.CPU += rs.CPU
		lr.MeiliCPU += rs.MeiliCPU
		lr.DelayedACKs += rs.DelayedACKs
		lr.Rounds = append(lr.Rounds, rs.roundStats)
	}
	stopProfile()
	lr.Wall = wall
	lr.Total = summarizeCalls(samples, wall)
	byKind := map[callKind][]sample{}
	late := make([]time.Duration, len(samples))
	perKindErrors := map[callKind]int{}
	for i, s := range samples {
		byKind[s.kind] = append(byKind[s.kind], s)
		late[i] = s.late
		if s.err != nil {
			perKindErrors[s.kind]++
			if perKindErrors[s.kind] <= 3 {
				lr.Problems = append(lr.Problems, fmt.Sprintf("%s %s: %v", engine, s.kind.short(), s.err))
			}
		}
	}
	for _, k := range allCallKinds {
		lr.ByKind[k] = summarizeCalls(byKind[k], wall)
	}
	ls := summarize(late, 0)
	lr.LateP99, lr.LateMax = ls.P99, ls.Max
	return lr, nil
}

func printLatency(p func(string, ...any), lr *latencyRun, mo MatchOptions) {
	p("-- %s: %s measured requests in %s (%.0f answers/s; warm-up %d requests, %d errors) --",
		lr.Engine, thousands(lr.Total.N), secs(lr.Wall), lr.Total.Rate, lr.WarmupN, lr.WarmupErrors)
	p("%-42s %6s %9s %9s %9s %9s %9s %6s %6s %7s", "call", "count", "p50", "p90", "p99", "max", "mean", "errors", "empty", "req/s")
	row := func(name string, s callStats) {
		p("%-42s %6d %9s %9s %9s %9s %9s %6d %6d %7.1f", name, s.N, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max), ms(s.Mean), s.Errors, s.Empty, s.Rate)
	}
	for _, k := range allCallKinds {
		row(k.label(), lr.ByKind[k])
	}
	row("all", lr.Total)
	var over []string
	for _, k := range allCallKinds {
		if w := budgetWord(lr.ByKind[k]); w != "within budget" {
			over = append(over, k.short()+": "+w)
		}
	}
	verdict := "every kind within budget"
	if len(over) > 0 {
		verdict = strings.Join(over, "; ")
	}
	p("budget (p50 ≤ %s, p99 ≤ %s): all calls %s — %s", ms(matchP50Budget), ms(matchP99Budget), budgetWord(lr.Total), verdict)
	cores := lr.Wall.Seconds()
	what := "every service, the gateways, the load generator"
	if lr.Engine == engineBleve {
		what += ", Bleve"
	}
	cpu := fmt.Sprintf("this process %.1f CPU-s (%.2f cores: %s)", lr.CPU.Seconds(), lr.CPU.Seconds()/cores, what)
	if lr.Engine == engineMeili {
		cpu += fmt.Sprintf("; meilisearch %.1f CPU-s (%.2f cores)", lr.MeiliCPU.Seconds(), lr.MeiliCPU.Seconds()/cores)
	}
	p("CPU during the measured phase: %s; load generator lateness p99 %s, max %s; delayed TCP ACKs on the machine %d", cpu, ms(lr.LateP99), ms(lr.LateMax), lr.DelayedACKs)
	if len(lr.Rounds) > 1 {
		for i, r := range lr.Rounds {
			line := fmt.Sprintf("  round %d: all p50 %s, p99 %s, max %s (%s); this process %.2f cores", i+1, ms(r.Total.P50), ms(r.Total.P99), ms(r.Total.Max), budgetWord(r.Total), r.CPU.Seconds()/r.Wall.Seconds())
			if lr.Engine == engineMeili {
				line += fmt.Sprintf(", meilisearch %.2f cores", r.MeiliCPU.Seconds()/r.Wall.Seconds())
			}
			p("%s; delayed TCP ACKs %d", line, r.DelayedACKs)
		}
	}
	if mo.CPUProfile != "" {
		f := strings.TrimSuffix(mo.CPUProfile, ".pprof") + "-" + lr.Engine + ".pprof"
		p("CPU profile of the measured phase: %s (go tool pprof -top %s)", f, f)
	}
}
