package launcher_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qihang-hz/qihang/deploy/local/launcher"
)

// stack is a running launcher.
type stack struct {
	base string
	grpc string
	stop func()
}

// start runs the launcher on free ports with data in dir and waits until it
// is ready.
func start(t testing.TB, dir string, demo bool) *stack {
	t.Helper()
	cfg := launcher.Defaults()
	cfg.HTTPAddr, cfg.GRPCAddr, cfg.DataDir = "127.0.0.1:0", "127.0.0.1:0", dir
	cfg.DemoData = demo
	if !demo {
		cfg.AdminPassword = "e2e-admin-password"
	}
	cfg.ShutdownTimeout = 5 * time.Second
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan launcher.Addrs, 1)
	done := make(chan error, 1)
	go func() { done <- launcher.Run(ctx, cfg, logger, func(a launcher.Addrs) { ready <- a }) }()
	select {
	case a := <-ready:
		var once sync.Once
		s := &stack{base: "http://" + a.HTTP, grpc: a.GRPC}
		s.stop = func() {
			once.Do(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("launcher stopped with error: %v", err)
				}
			})
		}
		t.Cleanup(s.stop)
		return s
	case err := <-done:
		cancel()
		t.Fatalf("launcher failed to start: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("launcher not ready after 2 minutes")
	}
	return nil
}

// response is a decoded HTTP response.
type response struct {
	code   int
	header http.Header
	raw    []byte
	body   map[string]any
}

// violations returns the field names of a BadRequest error body.
func (r response) violations() []string {
	var out []string
	details, _ := r.body["details"].([]any)
	for _, d := range details {
		dm, _ := d.(map[string]any)
		fvs, _ := dm["field_violations"].([]any)
		for _, fv := range fvs {
			if m, ok := fv.(map[string]any); ok {
				f, _ := m["field"].(string)
				out = append(out, f)
			}
		}
	}
	return out
}

func (r response) str(path ...string) string {
	var cur any = r.body
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// do sends a request with an optional JSON body and bearer token.
func (s *stack) do(t testing.TB, method, path, token string, body any, header ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{code: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &out.body)
	}
	return out
}

func (s *stack) login(t testing.TB, user, password string) string {
	t.Helper()
	r := s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": user, "password": password})
	if r.code != 200 {
		t.Fatalf("login %s: %d %s", user, r.code, r.raw)
	}
	return r.str("access_token")
}

func want(t testing.TB, r response, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("HTTP %d, want %d: %s", r.code, code, r.raw)
	}
}
