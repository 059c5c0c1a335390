package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// caller reads one firm by id and checks the answer is that firm.
type caller func(ctx context.Context, id string) error

// gatewayGetFirm is GET /v1/firms/{id} through the gateway. The body is
// read whole but not decoded, so the figure is the gateway's and the
// network's, not the client's JSON decoder's.
func gatewayGetFirm(a *api) caller {
	return func(ctx context.Context, id string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/v1/firms/"+url.PathEscape(id), nil)
		if err != nil {
			return err
		}
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
			return fmt.Errorf("GET /v1/firms/%s: HTTP %d", id, resp.StatusCode)
		}
		return nil
	}
}

// grpcGetFirm is the same read over gRPC, with the same bearer token in the
// request metadata.
func grpcGetFirm(conn *grpc.ClientConn, token string) caller {
	client := profilesv1.NewProfilesServiceClient(conn)
	return func(ctx context.Context, id string) error {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		resp, err := client.GetFirm(ctx, &profilesv1.GetFirmRequest{Id: id})
		if err != nil {
			return err
		}
		if resp.GetFirm().GetId() != id {
			return fmt.Errorf("GetFirm(%s) returned firm %q", id, resp.GetFirm().GetId())
		}
		return nil
	}
}

// checkGatewayFirm reads one firm through the gateway and checks that the
// JSON is that firm, outside any measurement.
func checkGatewayFirm(ctx context.Context, a *api, id string) error {
	var resp struct {
		Firm struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"firm"`
	}
	if err := a.call(ctx, http.MethodGet, "/v1/firms/"+url.PathEscape(id), "", nil, &resp); err != nil {
		return err
	}
	if resp.Firm.ID != id || resp.Firm.Name == "" {
		return fmt.Errorf("GET /v1/firms/%s returned firm %q named %q", id, resp.Firm.ID, resp.Firm.Name)
	}
	return nil
}

// stats summarises one path's latencies.
type stats struct {
	N                        int
	P50, P90, P99, Max, Mean time.Duration
	RPS                      float64 // requests per second of wall time spent on this path
	wall                     time.Duration
}

// percentile returns the nearest-rank percentile p (0 < p ≤ 1) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func summarize(d []time.Duration, wall time.Duration) stats {
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	st := stats{N: len(s)}
	if len(s) == 0 {
		return st
	}
	st.P50, st.P90, st.P99 = percentile(s, 0.50), percentile(s, 0.90), percentile(s, 0.99)
	st.Max, st.Mean = s[len(s)-1], sum/time.Duration(len(s))
	if wall > 0 {
		st.RPS = float64(len(s)) / wall.Seconds()
	}
	return st
}

// comparison is one side-by-side run of the two paths.
type comparison struct {
	Concurrency int
	Block       int
	Gateway     stats
	GRPC        stats
}

// ratio returns gw/rpc, the gateway's latency as a multiple of gRPC's.
func ratio(gw, rpc time.Duration) float64 {
	if rpc <= 0 {
		return math.NaN()
	}
	return float64(gw) / float64(rpc)
}

// runBlock reads ids with conc concurrent clients and returns each
// request's latency and the block's wall time.
func runBlock(ctx context.Context, call caller, ids []string, conc int) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, len(ids))
	start := time.Now()
	if conc <= 1 {
		for i, id := range ids {
			t := time.Now()
			if err := call(ctx, id); err != nil {
				return nil, 0, err
			}
			lat[i] = time.Since(t)
		}
		return lat, time.Since(start), nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range min(conc, len(ids)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				t := time.Now()
				if err := call(ctx, ids[i]); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				lat[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, 0, firstErr
	}
	return lat, time.Since(start), nil
}

// compare measures the two paths side by side: warm-up requests on both,
// then blocks of the same random ids on each path in turn, the order
// swapping every round, until each path has n requests. Alternating blocks
// share the machine's noise (GC, page cache, CPU frequency) between the two
// paths, so their ratio means something even on a busy machine.
func compare(ctx context.Context, ids []string, gw, rpc caller, n, warmup, block, conc int, r *rand.Rand) (*comparison, error) {
	draw := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = ids[r.IntN(len(ids))]
		}
		return out
	}
	paths := [2]caller{gw, rpc}
	for done := 0; done < warmup; done += block {
		b := draw(min(block, warmup-done))
		for _, p := range paths {
			if _, _, err := runBlock(ctx, p, b, conc); err != nil {
				return nil, fmt.Errorf("warm-up: %w", err)
			}
		}
	}
	var lat [2][]time.Duration
	var wall [2]time.Duration
	for round := 0; len(lat[0]) < n; round++ {
		b := draw(min(block, n-len(lat[0])))
		order := [2]int{0, 1}
		if round%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, k := range order {
			d, w, err := runBlock(ctx, paths[k], b, conc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", [2]string{"gateway", "gRPC"}[k], err)
			}
			lat[k] = append(lat[k], d...)
			wall[k] += w
		}
	}
	return &comparison{
		Concurrency: conc, Block: block,
		Gateway: summarize(lat[0], wall[0]), GRPC: summarize(lat[1], wall[1]),
	}, nil
}
