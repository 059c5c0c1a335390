package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/qihang-hz/qihang/deploy/local/launcher"
	"github.com/qihang-hz/qihang/gateway"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	matchserver "github.com/qihang-hz/qihang/services/match/server"
)

// meiliServer is a Meilisearch server this process started: the official
// binary scripts/meilisearch.sh installs, on 127.0.0.1 with a free port, a
// random master key, a database in the run's temporary directory and
// analytics off.
type meiliServer struct {
	url, key, dir, version string
	cmd                    *exec.Cmd
	exited                 chan struct{}
}

// repoRoot finds the repository root above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module github.com/qihang-hz/qihang")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod of github.com/qihang-hz/qihang) not found above the working directory; run from the repository")
		}
		dir = parent
	}
}

// startMeili installs (if need be) and starts Meilisearch with its database
// under dir.
func startMeili(dir string) (*meiliServer, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	script := exec.CommandContext(ctx, filepath.Join(root, "scripts", "meilisearch.sh"))
	var stdout, stderr bytes.Buffer
	script.Stdout, script.Stderr = &stdout, &stderr
	if err := script.Run(); err != nil {
		return nil, fmt.Errorf("scripts/meilisearch.sh: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	bin := strings.TrimSpace(lines[len(lines)-1])
	version, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", bin, err)
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var kb [16]byte
	if _, err := rand.Read(kb[:]); err != nil {
		return nil, err
	}
	m := &meiliServer{
		url: fmt.Sprintf("http://127.0.0.1:%d", port), key: hex.EncodeToString(kb[:]), dir: dir,
		version: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(version)), "meilisearch")),
		exited:  make(chan struct{}),
	}
	logFile, err := os.Create(filepath.Join(dir, "meilisearch.log"))
	if err != nil {
		return nil, err
	}
	m.cmd = exec.Command(bin,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"--master-key", m.key,
		"--db-path", filepath.Join(dir, "data.ms"),
		"--dump-dir", filepath.Join(dir, "dumps"),
		"--snapshot-dir", filepath.Join(dir, "snapshots"),
		"--no-analytics",
		"--env", "development",
		"--log-level", "WARN",
		"--max-indexing-memory", "1GiB",
	)
	m.cmd.Dir = dir
	m.cmd.Stdout, m.cmd.Stderr = logFile, logFile
	// It dies with this process, however this process ends.
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = m.cmd.Wait()
		_ = logFile.Close()
		close(m.exited)
	}()
	if err := m.waitHealthy(time.Minute); err != nil {
		m.stop()
		log, _ := os.ReadFile(filepath.Join(dir, "meilisearch.log"))
		return nil, fmt.Errorf("%w; server log: %s", err, tail(string(log), 2000))
	}
	return m, nil
}

func (m *meiliServer) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-m.exited:
			return errors.New("meilisearch exited during start")
		default:
		}
		if resp, err := client.Get(m.url + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("meilisearch not healthy at %s after %s", m.url, limit)
}

// stop kills the server (its database goes with the run's directory).
func (m *meiliServer) stop() {
	if m == nil || m.cmd.Process == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.exited
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times on Linux.
const clockTicks = 100

// cpu is the server's user+system CPU time so far (0 when unknown or m is
// nil).
func (m *meiliServer) cpu() time.Duration {
	if m == nil || m.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.cmd.Process.Pid))
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

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
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
