package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// The -match-trace files: for each engine and measured round, every
// request (requests-<engine>-<round>.csv) and the machine every 100 ms
// (samples-<engine>-<round>.csv), with times in milliseconds from the
// round's start, so that a tail can be laid against what the processes did
// at the time. With Meilisearch the directory also receives its log at INFO
// (meilisearch.log: every HTTP request with its busy and idle time).

// traceEvery is the sampling period of the samples file.
const traceEvery = 100 * time.Millisecond

// writeRequestTrace writes one row per request: when it was due, its kind,
// its latency, how late it was sent, and whether it failed.
func writeRequestTrace(path string, start time.Time, samples []sample) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "due_ms,kind,latency_ms,late_ms,failed")
	for _, s := range samples {
		due := s.end.Add(-s.lat)
		if s.end.IsZero() {
			continue
		}
		fmt.Fprintf(w, "%.3f,%q,%.3f,%.3f,%t\n", msFloat(due.Sub(start)), s.kind.short(), msFloat(s.lat), msFloat(s.late), s.err != nil)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func msFloat(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// machineSampler writes a samples file while a round runs: per period this
// process's and Meilisearch's CPU, garbage collections, the runtime's
// scheduling latency p99, goroutines, and the kernel's delayed TCP
// acknowledgements.
type machineSampler struct {
	stop chan struct{}
	done chan error
}

func startMachineSampler(path string, start time.Time, meili *meiliServer) (*machineSampler, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	ms := &machineSampler{stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		w := bufio.NewWriter(f)
		fmt.Fprintln(w, "t_ms,process_cpu_ms,meili_cpu_ms,gc_cycles,gc_cpu_ms,gc_assist_cpu_ms,live_heap_mib,sched_latency_p99_ms,goroutines,delayed_acks")
		rs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/sched/latencies:seconds"},
			{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/gc/mark/assist:cpu-seconds"}, {Name: "/gc/heap/live:bytes"}}
		var prevHist *metrics.Float64Histogram
		cpu0, m0 := processCPU(), meili.cpu()
		gc0, ack0 := uint64(0), delayedACKs()
		var gcCPU0, assist0 float64
		tick := time.NewTicker(traceEvery)
		defer tick.Stop()
		first := true
		for {
			select {
			case <-ms.stop:
				err := w.Flush()
				ms.done <- errors.Join(err, f.Close())
				return
			case <-tick.C:
			}
			metrics.Read(rs)
			gc := rs[0].Value.Uint64()
			hist := rs[1].Value.Float64Histogram()
			gcCPU, assist, live := rs[2].Value.Float64(), rs[3].Value.Float64(), rs[4].Value.Uint64()
			cpu, m, ack := processCPU(), meili.cpu(), delayedACKs()
			if !first {
				fmt.Fprintf(w, "%.0f,%.1f,%.1f,%d,%.1f,%.1f,%.0f,%.3f,%d,%d\n", msFloat(time.Since(start)),
					msFloat(cpu-cpu0), msFloat(m-m0), gc-gc0, (gcCPU-gcCPU0)*1000, (assist-assist0)*1000, float64(live)/(1<<20),
					histP99Delta(prevHist, hist)*1000, runtime.NumGoroutine(), ack-ack0)
			}
			first = false
			cpu0, m0, gc0, ack0, gcCPU0, assist0 = cpu, m, gc, ack, gcCPU, assist
			prevHist = copyHist(hist)
		}
	}()
	return ms, nil
}

func (ms *machineSampler) close() error {
	close(ms.stop)
	return <-ms.done
}

func copyHist(h *metrics.Float64Histogram) *metrics.Float64Histogram {
	return &metrics.Float64Histogram{Counts: append([]uint64(nil), h.Counts...), Buckets: h.Buckets}
}

// histP99Delta is the p99 (bucket upper bound, seconds) of the observations
// h gained since prev.
func histP99Delta(prev, h *metrics.Float64Histogram) float64 {
	if prev == nil || len(prev.Counts) != len(h.Counts) {
		return 0
	}
	var total uint64
	for i := range h.Counts {
		total += h.Counts[i] - prev.Counts[i]
	}
	if total == 0 {
		return 0
	}
	want := total - total/100
	var n uint64
	for i := range h.Counts {
		n += h.Counts[i] - prev.Counts[i]
		if n >= want {
			return h.Buckets[i+1]
		}
	}
	return h.Buckets[len(h.Buckets)-1]
}

// delayedACKs is the kernel's count of delayed TCP acknowledgements sent
// (TcpExt DelayedACKs in /proc/net/netstat; -1 where unknown). On loopback
// each one held the peer's next small write back for the delayed-ACK timer
// (40 ms or more) when Nagle's algorithm was on at the peer.
func delayedACKs() int64 {
	b, err := os.ReadFile("/proc/net/netstat")
	if err != nil {
		return -1
	}
	lines := strings.Split(string(b), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		h, v := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		if len(h) == 0 || h[0] != "TcpExt:" || len(v) != len(h) {
			continue
		}
		for j := range h {
			if h[j] == "DelayedACKs" {
				n, err := strconv.ParseInt(v[j], 10, 64)
				if err != nil {
					return -1
				}
				return n
			}
		}
	}
	return -1
}

// traceFile is a file of the trace directory, e.g. samples-bleve-1.csv.
func traceFile(dir, kind, engine string, round int, ext string) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s-%d.%s", kind, engine, round, ext))
}
