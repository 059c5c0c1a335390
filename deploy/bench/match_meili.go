package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/qihang-hz/qihang/deploy/local/launcher"
	"github.com/qihang-hz/qihang/gateway"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
	matchserver "github.com/qihang-hz/qihang/services/match/server"
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

// meiliMatch is a second match service on Meilisearch, in this process,
// with its own gRPC server and HTTP gateway.
type meiliMatch struct {
	httpAddr   string
	firstBuild time.Duration
	stops      []func()
}

// startMeiliMatch builds a match service over a Meilisearch engine that
// follows the launcher's profiles and catalog (service tokens signed with
// the launcher's key, read from its data directory), serves it on its own
// gRPC listener with the production interceptors, waits for its first
// build, and puts a gateway in front of it whose other services are the
// launcher's.
func startMeiliMatch(ctx context.Context, addrs launcher.Addrs, launcherDir string, meili *meiliServer, logger *slog.Logger) (_ *meiliMatch, err error) {
	mm := &meiliMatch{}
	defer func() {
		if err != nil {
			mm.stop()
		}
	}()
	key, err := auth.LoadOrCreateKey(filepath.Join(launcherDir, "token-signing.key"))
	if err != nil {
		return nil, err
	}
	issuer := auth.NewIssuer(key, time.Hour)
	verifier := auth.NewVerifier(key.Public().(ed25519.PublicKey))

	engine, err := meiliindex.New(meiliindex.Options{URL: meili.url, Key: meili.key, Prefix: "bench_"})
	if err != nil {
		return nil, err
	}
	mm.stops = append(mm.stops, func() { _ = engine.Close() })
	dial := func(addr string) (*grpc.ClientConn, error) {
		return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(32<<20)))
	}
	services, err := dial(addrs.GRPC)
	if err != nil {
		return nil, fmt.Errorf("dial the launcher's services: %w", err)
	}
	mm.stops = append(mm.stops, func() { _ = services.Close() })

	svc := matchserver.New(engine, matchserver.Conns{Profiles: services, Catalog: services}, auth.NewServiceTokens(issuer, "match"),
		matchserver.Options{Logger: logger})
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          logger,
		Authenticator:   auth.NewAuthenticator(verifier, matchserver.PublicMethods()...),
		ShutdownTimeout: 5 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	svc.Register(srv.GRPC())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srvCtx, stopSrv := context.WithCancel(context.Background())
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Serve(srvCtx, lis) }()
	mm.stops = append(mm.stops, func() {
		stopSrv()
		if err := <-srvDone; err != nil {
			logger.Warn("meilisearch match gRPC server", "err", err)
		}
	})

	syncCtx, stopSync := context.WithCancel(context.Background())
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); svc.Run(syncCtx) }()
	mm.stops = append(mm.stops, func() { stopSync(); <-syncDone })
	t := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	if err := svc.Syncer.WaitReady(wctx); err != nil {
		return nil, fmt.Errorf("meilisearch first index build: %w", err)
	}
	mm.firstBuild = time.Since(t)

	match, err := dial(lis.Addr().String())
	if err != nil {
		return nil, fmt.Errorf("dial the meilisearch match service: %w", err)
	}
	mm.stops = append(mm.stops, func() { _ = match.Close() })
	gwCtx, stopGW := context.WithCancel(context.Background())
	handler, err := gateway.NewHandler(gwCtx, gateway.Options{
		Logger:   logger,
		Verifier: verifier,
		Conns:    gateway.Conns{Profiles: services, Catalog: services, Events: services, Consult: services, Match: match},
	})
	if err != nil {
		stopGW()
		return nil, err
	}
	httpLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopGW()
		return nil, err
	}
	mm.httpAddr = httpLis.Addr().String()
	gwDone := make(chan error, 1)
	go func() { gwDone <- gateway.Serve(gwCtx, httpLis, handler, 5*time.Second, logger) }()
	mm.stops = append(mm.stops, func() {
		stopGW()
		if err := <-gwDone; err != nil {
			logger.Warn("meilisearch gateway", "err", err)
		}
	})
	return mm, nil
}

// stop stops the gateway, the gRPC server, the sync and the engine, in
// that order.
func (mm *meiliMatch) stop() {
	for i := len(mm.stops) - 1; i >= 0; i-- {
		mm.stops[i]()
	}
	mm.stops = nil
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
