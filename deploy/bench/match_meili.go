package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qihang-hz/qihang/services/match/index/meilitest"
)

// meiliServer is a Meilisearch server this process started the way the
// tests start theirs (meilitest): the binary scripts/meilisearch.sh
// installs, on 127.0.0.1 with a free port, a random master key, a temporary
// database and analytics off.
type meiliServer struct {
	url, key, dir, version string
	// keepLog, when set, receives the server's log when it stops.
	keepLog string
	pid     int
	proc    *meilitest.Process
}

// startMeili installs (if need be) and starts Meilisearch. With a trace
// directory it logs at INFO and its log is copied there when it stops.
func startMeili(traceDir string) (*meiliServer, error) {
	version, err := meilitest.Version()
	if err != nil {
		return nil, err
	}
	level, keep := "WARN", ""
	if traceDir != "" {
		level, keep = "INFO", filepath.Join(traceDir, "meilisearch.log")
	}
	p, err := meilitest.StartProcessLogging(level)
	if err != nil {
		return nil, err
	}
	return &meiliServer{url: p.URL(), key: p.Key(), dir: p.Dir(), version: version, pid: p.Pid(), proc: p, keepLog: keep}, nil
}

// stop kills the server and removes its database (after copying its log
// when asked to keep it).
func (m *meiliServer) stop() {
	if m == nil || m.proc == nil {
		return
	}
	if m.keepLog != "" {
		if b, err := os.ReadFile(m.proc.LogPath()); err == nil {
			_ = os.WriteFile(m.keepLog, b, 0o644)
		}
	}
	_ = m.proc.Stop()
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times on Linux.
const clockTicks = 100

// cpu is the server's user+system CPU time so far (0 when unknown or m is
// nil).
func (m *meiliServer) cpu() time.Duration {
	if m == nil || m.pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	return time.Duration(ut+st) * time.Second / clockTicks
}

// settle waits until the server is idle — under 5 % of a core over two
// seconds — or limit passes, and says how long it took. After a bulk build
// Meilisearch keeps working for a while (its own CPU shows it), and a
// latency measure started then measures that work too.
func (m *meiliServer) settle(ctx context.Context, limit time.Duration) (time.Duration, bool) {
	start := time.Now()
	const window = 2 * time.Second
	for time.Since(start) < limit {
		before := m.cpu()
		select {
		case <-ctx.Done():
			return time.Since(start), false
		case <-time.After(window):
		}
		if m.cpu()-before < window/20 {
			return time.Since(start), true
		}
	}
	return time.Since(start), false
}
