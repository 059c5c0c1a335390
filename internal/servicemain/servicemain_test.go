package servicemain

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/qihang-hz/qihang/internal/auth"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestChecksNameTheFlagAndTheRule(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"required, all set":          {Required("--grpc-addr and --profiles-addr", "a", "b"), ""},
		"required, one of two empty": {Required("--grpc-addr and --profiles-addr", "a", ""), "--grpc-addr and --profiles-addr are required"},
		"required, single empty":     {Required("--token-signing-key-file", ""), "--token-signing-key-file is required"},
		"required, three":            {Required("--a, --b and --c", "", "b", ""), "--a, --b and --c are required"},
		"store, mongo uri":           {CheckStore("mongodb://db:27017", ""), ""},
		"store, data dir":            {CheckStore("", "./data"), ""},
		"store, neither":             {CheckStore("", ""), "either --mongo-uri or --data-dir is required"},
		"public key, valid":          {CheckPublicKey(auth.EncodePublicKey(pub)), ""},
		"public key, empty":          {CheckPublicKey(""), "--token-public-key: auth: public key must be a base64 Ed25519 key of 32 bytes"},
		"public key, short":          {CheckPublicKey(base64.StdEncoding.EncodeToString([]byte("short"))), "--token-public-key: auth: public key must be a base64 Ed25519 key of 32 bytes"},
		"log level, info":            {CheckLogLevel("info"), ""},
		"log level, upper case":      {CheckLogLevel("DEBUG"), ""},
		"log level, unknown":         {CheckLogLevel("loud"), `--log-level "loud": want debug, info, warn or error`},
		"log level, empty":           {CheckLogLevel(""), `--log-level "": want debug, info, warn or error`},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, errText(tc.err)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// The checks are meant to be joined in a Validate method; errors.Join drops
// the nils, so only the failing rules are reported, in order.
func TestChecksJoinIntoOneReport(t *testing.T) {
	err := errors.Join(
		Required("--grpc-addr", "127.0.0.1:1"),
		CheckStore("", ""),
		CheckLogLevel("loud"),
	)
	want := "either --mongo-uri or --data-dir is required\n--log-level \"loud\": want debug, info, warn or error"
	if diff := cmp.Diff(want, errText(err)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestNewLoggerTagsTheServiceAndHonoursTheLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := NewLogger(&buf, "catalog", "warn")
	logger.Info("dropped")
	logger.Warn("kept", "k", "v")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("one JSON record expected, got %q: %v", buf.String(), err)
	}
	delete(rec, "time")
	want := map[string]any{"level": "WARN", "msg": "kept", "service": "catalog", "k": "v"}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// servingAddr hands the address of the "serving" log line to the test.
type servingAddr struct {
	slog.Handler
	addr  chan string
	attrs chan []string
}

func (h servingAddr) Enabled(context.Context, slog.Level) bool { return true }

func (h servingAddr) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "serving" {
		return nil
	}
	var keys []string
	r.Attrs(func(a slog.Attr) bool {
		keys = append(keys, a.Key)
		if a.Key == "grpc" {
			h.addr <- a.Value.String()
		}
		return true
	})
	h.attrs <- keys
	return nil
}

const (
	openMethod   = "/qihang.test.v1.TestService/Open"
	closedMethod = "/qihang.test.v1.TestService/Closed"
)

// registerTest registers a service with one public and one protected
// method, both answering with an empty health response.
func registerTest(g *grpc.Server) {
	handler := func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor, method string) (any, error) {
		req := &healthpb.HealthCheckRequest{}
		if err := dec(req); err != nil {
			return nil, err
		}
		return in(ctx, req, &grpc.UnaryServerInfo{FullMethod: method}, func(context.Context, any) (any, error) {
			return &healthpb.HealthCheckResponse{}, nil
		})
	}
	g.RegisterService(&grpc.ServiceDesc{
		ServiceName: "qihang.test.v1.TestService",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "Open", Handler: func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
				return handler(srv, ctx, dec, in, openMethod)
			}},
			{MethodName: "Closed", Handler: func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
				return handler(srv, ctx, dec, in, closedMethod)
			}},
		},
	}, struct{}{})
}

func TestServeRunsTheServiceUntilTheContextEnds(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := servingAddr{Handler: slog.DiscardHandler, addr: make(chan string, 1), attrs: make(chan []string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var alongsideRunning, alongsideStopped atomic.Bool
	alongsideStarted := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, Server{
			Addr: "127.0.0.1:0", Logger: slog.New(h),
			Verifier: auth.NewVerifier(pub), PublicMethods: []string{openMethod},
			Register: registerTest,
			Alongside: func(ctx context.Context) {
				alongsideRunning.Store(true)
				close(alongsideStarted)
				<-ctx.Done()
				alongsideStopped.Store(true)
			},
			LogAttrs: []any{"engine", "bleve"},
		})
	}()
	var addr string
	select {
	case addr = <-h.addr:
	case err := <-served:
		t.Fatalf("Serve returned before serving: %v", err)
	}
	if diff := cmp.Diff([]string{"grpc", "engine"}, <-h.attrs); diff != "" {
		t.Errorf("serving log attributes (-want +got)\n%s", diff)
	}
	<-alongsideStarted

	conn, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	if health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health = %v, want SERVING", health.GetStatus())
	}
	if err := conn.Invoke(ctx, openMethod, &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{}); err != nil {
		t.Errorf("public method without a token: %v", err)
	}
	err = conn.Invoke(ctx, closedMethod, &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("protected method without a token: %v, want Unauthenticated", err)
	}
	if alongsideStopped.Load() {
		t.Error("Alongside stopped while the server was still serving")
	}

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve after cancel = %v, want nil", err)
	}
	if !alongsideRunning.Load() || !alongsideStopped.Load() {
		t.Error("Serve returned before Alongside had stopped")
	}
}

func TestServeReportsAnAddressInUseWithoutStartingAlongside(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var started atomic.Bool
	err = Serve(context.Background(), Server{
		Addr: taken.Addr().String(), Logger: slog.New(slog.DiscardHandler),
		Verifier: auth.NewVerifier(pub), Register: func(*grpc.Server) {},
		Alongside: func(context.Context) { started.Store(true) },
	})
	if err == nil || !strings.HasPrefix(err.Error(), "listen: ") {
		t.Errorf("Serve on a taken address = %v, want a listen error", err)
	}
	if started.Load() {
		t.Error("Alongside started although the listener could not be opened")
	}
}
