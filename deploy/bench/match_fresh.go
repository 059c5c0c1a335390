package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// freshRun is one engine's freshness figures: for each acknowledged write,
// the time until a search through that engine's gateway found it.
type freshRun struct {
	Engine string
	// Writes is the number of acknowledged writes searched for.
	Writes int
	// Seen holds the delays of the writes found, sorted.
	Seen []time.Duration
	// NotSeen counts writes not found within the cap.
	NotSeen int
	// Polls is the number of searches sent; Errors those that failed.
	Polls, Errors int
	Cap           time.Duration
	Problems      []string
}

// pct is the nearest-rank percentile q over every write, a write never seen
// ranking above every seen one.
func (f *freshRun) pct(q float64) string {
	if f.Writes == 0 {
		return "—"
	}
	i := int(math.Ceil(q*float64(f.Writes))) - 1
	i = min(max(i, 0), f.Writes-1)
	if i >= len(f.Seen) {
		return "> " + secs(f.Cap) + " (not seen)"
	}
	return ms(f.Seen[i])
}

func (f *freshRun) p95() time.Duration {
	if f.Writes == 0 {
		return 0
	}
	i := min(max(int(math.Ceil(0.95*float64(f.Writes)))-1, 0), f.Writes-1)
	if i >= len(f.Seen) {
		return time.Duration(math.MaxInt64)
	}
	return f.Seen[i]
}

// writeStats are the writes of the freshness phase.
type writeStats struct {
	N, Errors int
	// Ack is the time from a write's scheduled time to its acknowledgement.
	Ack  callStats
	Wall time.Duration
	// Phase is the whole phase, the last searches included; CPU and Meili
	// are the CPU times over it.
	Phase      time.Duration
	CPU, Meili time.Duration
	Problems   []string
}

// freshTarget is a firm to rewrite, as read before the phase.
type freshTarget struct {
	id, etag, products, token string
}

// freshWord returns a word no firm has: "qh" and ten random letters (letters
// only, so both engines keep it one token; random, so no two are a typo
// apart).
func freshWord(r *rand.Rand) string {
	b := []byte("qh")
	for range 10 {
		b = append(b, byte('a'+r.IntN(26)))
	}
	return string(b)
}

// runFreshness rewrites firms' main products at mo.WriteRate through an
// install's gateway g (open loop, each write with the etag read before the
// phase) and, from each acknowledgement, searches the same gateway for the
// write's word every mo.PollEvery until the firm is found or mo.FreshCap
// passes. stream picks the firms (one per engine, so that each engine's
// phase rewrites other firms).
func runFreshness(ctx context.Context, g *api, engine string, mo MatchOptions, load *matchLoad, seed, stream uint64, meili *meiliServer) (*freshRun, *writeStats, error) {
	r := rand.New(rand.NewPCG(seed, 0x66726573+stream)) // "fres"
	n := max(1, int(mo.WriteRate*mo.Duration.Seconds()))
	order := r.Perm(len(load.FirmIDs))[:n]
	targets := make([]*freshTarget, n)
	words := map[string]bool{}
	for i, k := range order {
		w := freshWord(r)
		for words[w] {
			w = freshWord(r)
		}
		words[w] = true
		targets[i] = &freshTarget{id: load.FirmIDs[k], token: w}
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute, DisableCompression: true}}
	defer hc.CloseIdleConnections()

	// Read each firm's etag and products before the phase.
	err := parallel(ctx, n, 4, func(ctx context.Context, i int) error {
		var resp struct {
			Firm struct {
				Etag         string `json:"etag"`
				MainProducts string `json:"main_products"`
			} `json:"firm"`
		}
		if err := getJSON(ctx, hc, g.base, "/v1/firms/"+url.PathEscape(targets[i].id), g.token, &resp); err != nil {
			return err
		}
		targets[i].etag, targets[i].products = resp.Firm.Etag, resp.Firm.MainProducts
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("freshness: read the firms: %w", err)
	}

	f := &freshRun{Engine: engine, Cap: mo.FreshCap}
	var mu sync.Mutex
	ws := &writeStats{}
	var acks []sample
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / mo.WriteRate)
	cpu0, m0 := processCPU(), meili.cpu()
	start := time.Now().Add(5 * time.Millisecond)
	for i, t := range targets {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			products := t.token
			if t.products != "" {
				products = t.products + "、" + t.token
			}
			err := writeFirm(ctx, hc, g, t, products)
			acked := time.Now()
			mu.Lock()
			ws.N++
			acks = append(acks, sample{lat: acked.Sub(due), err: err, end: acked})
			if err != nil {
				ws.Errors++
				if ws.Errors <= 3 {
					ws.Problems = append(ws.Problems, fmt.Sprintf("freshness write: %v", err))
				}
			}
			mu.Unlock()
			if err != nil {
				return
			}
			seen, delay, polls, errs, firstErr := pollFor(ctx, hc, g, t, acked, mo)
			mu.Lock()
			defer mu.Unlock()
			f.Writes++
			f.Polls += polls
			f.Errors += errs
			if firstErr != nil && len(f.Problems) < 3 {
				f.Problems = append(f.Problems, fmt.Sprintf("%s freshness search: %v", engine, firstErr))
			}
			if seen {
				f.Seen = append(f.Seen, delay)
			} else {
				f.NotSeen++
			}
		})
	}
	wg.Wait()
	ws.Phase = time.Since(start)
	ws.CPU, ws.Meili = processCPU()-cpu0, meili.cpu()-m0
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var last time.Time
	for _, a := range acks {
		if a.end.After(last) {
			last = a.end
		}
	}
	ws.Wall = last.Sub(start)
	ws.Ack = summarizeCalls(acks, ws.Wall)
	slices.Sort(f.Seen)
	return f, ws, nil
}

// writeFirm sends PATCH /v1/firms/{id} with the etag and the new products
// and checks the answer carries them.
func writeFirm(ctx context.Context, hc *http.Client, admin *api, t *freshTarget, products string) error {
	body, _ := json.Marshal(map[string]string{"etag": t.etag, "main_products": products})
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, admin.base+"/v1/firms/"+url.PathEscape(t.id), strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+admin.token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PATCH /v1/firms/%s: HTTP %d: %.300s", t.id, resp.StatusCode, b)
	}
	var out struct {
		Firm struct {
			ID           string `json:"id"`
			MainProducts string `json:"main_products"`
		} `json:"firm"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("PATCH /v1/firms/%s: %w", t.id, err)
	}
	if out.Firm.ID != t.id || !strings.Contains(out.Firm.MainProducts, t.token) {
		return fmt.Errorf("PATCH /v1/firms/%s answered firm %q with products %q", t.id, out.Firm.ID, out.Firm.MainProducts)
	}
	return nil
}

// pollFor searches g for the write's word every mo.PollEvery from acked
// until the firm is among the hits or mo.FreshCap passes. delay runs from
// the acknowledgement to the answer that showed the firm.
func pollFor(ctx context.Context, hc *http.Client, g *api, t *freshTarget, acked time.Time, mo MatchOptions) (seen bool, delay time.Duration, polls, errs int, firstErr error) {
	path := "/v1/search?kinds=DOCUMENT_KIND_FIRM&page_size=10&q=" + url.QueryEscape(t.token)
	for k := 0; ; k++ {
		if ctx.Err() != nil {
			return false, 0, polls, errs, firstErr
		}
		var resp searchJSON
		polls++
		err := getJSON(ctx, hc, g.base, path, g.token, &resp)
		now := time.Now()
		if err != nil {
			errs++
			if firstErr == nil {
				firstErr = err
			}
		} else {
			for _, h := range resp.Hits {
				if h.ID == t.id {
					return true, now.Sub(acked), polls, errs, firstErr
				}
			}
		}
		if now.Sub(acked) >= mo.FreshCap {
			return false, 0, polls, errs, firstErr
		}
		next := acked.Add(time.Duration(k+1) * mo.PollEvery)
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
	}
}

func printFreshness(p func(string, ...any), mo MatchOptions, ws *writeStats, f *freshRun) {
	p("writes: %s PATCH /v1/firms/{id} (main_products + a unique word, with the etag read before) through the gateway in %s; acknowledged p50 %s, p99 %s; %d failed",
		thousands(ws.N), secs(ws.Wall), ms(ws.Ack.P50), ms(ws.Ack.P99), ws.Errors)
	p("each acknowledged write searched for (GET /v1/search?kinds=DOCUMENT_KIND_FIRM&q=<word>) every %s through the same gateway, for at most %s; delay = acknowledgement → first answer listing the firm",
		mo.PollEvery, mo.FreshCap)
	p("%-12s %7s %10s %10s %10s %10s %9s %7s %7s", "engine", "writes", "p50", "p95", "p99", "max", "not seen", "polls", "errors")
	maxS := "—"
	if len(f.Seen) > 0 {
		maxS = ms(f.Seen[len(f.Seen)-1])
	}
	p("%-12s %7d %10s %10s %10s %10s %9d %7d %7d", f.Engine, f.Writes, f.pct(0.50), f.pct(0.95), f.pct(0.99), maxS, f.NotSeen, f.Polls, f.Errors)
	v := "within budget"
	if f.p95() > freshnessBudget {
		v = "OVER budget"
	}
	p("budget (p95 ≤ %s): %s %s (p95 %s)", secs(freshnessBudget), f.Engine, v, f.pct(0.95))
	cores := max(ws.Phase.Seconds(), 0.001)
	cpu := fmt.Sprintf("this process %.1f CPU-s (%.2f cores)", ws.CPU.Seconds(), ws.CPU.Seconds()/cores)
	if ws.Meili > 0 {
		cpu += fmt.Sprintf("; meilisearch %.1f CPU-s (%.2f cores)", ws.Meili.Seconds(), ws.Meili.Seconds()/cores)
	}
	p("CPU over the phase (%s, the last searches included): %s", secs(ws.Phase), cpu)
}
