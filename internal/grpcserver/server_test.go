package grpcserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
)

// The tests register a tiny service by hand: a health-like unary method
// whose behaviour each test sets.
type handlerFunc func(ctx context.Context) error

const testMethod = "/qihang.test.v1.TestService/Do"

func register(s *grpc.Server, h *atomic.Value) {
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: "qihang.test.v1.TestService",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Do",
			Handler: func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
				req := &healthpb.HealthCheckRequest{}
				if err := dec(req); err != nil {
					return nil, err
				}
				call := func(ctx context.Context, _ any) (any, error) {
					if err := h.Load().(handlerFunc)(ctx); err != nil {
						return nil, err
					}
					return &healthpb.HealthCheckResponse{}, nil
				}
				return in(ctx, req, &grpc.UnaryServerInfo{FullMethod: testMethod}, call)
			},
		}},
	}, struct{}{})
}

type harness struct {
	conn    *grpc.ClientConn
	h       *atomic.Value
	logs    *strings.Builder
	cancel  context.CancelFunc
	done    chan error
	srv     *Server
	healthy *atomic.Bool
}

func newHarness(t *testing.T, public bool) *harness {
	t.Helper()
	pub, _, _ := auth.GenerateKey()
	var methods []string
	if public {
		methods = []string{testMethod}
	}
	logs := &strings.Builder{}
	healthy := &atomic.Bool{}
	healthy.Store(true)
	srv, err := New(Options{
		Logger:          slog.New(slog.NewTextHandler(&syncWriter{b: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Authenticator:   auth.NewAuthenticator(auth.NewVerifier(pub), methods...),
		DefaultTimeout:  time.Second,
		ShutdownTimeout: 300 * time.Millisecond,
		Probe: func(context.Context) error {
			if healthy.Load() {
				return nil
			}
			return errors.New("store down")
		},
		ProbeInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &atomic.Value{}
	h.Store(handlerFunc(func(context.Context) error { return nil }))
	register(srv.GRPC(), h)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); conn.Close() })
	return &harness{conn: conn, h: h, logs: logs, cancel: cancel, done: done, srv: srv, healthy: healthy}
}

type syncWriter struct {
	b  *strings.Builder
	mu sync.Mutex
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (h *harness) call(ctx context.Context) error {
	return h.conn.Invoke(ctx, testMethod, &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
}

func TestErrorMapping(t *testing.T) {
	h := newHarness(t, true)
	tests := []struct {
		name     string
		err      error
		code     codes.Code
		message  string
		internal bool
	}{
		{"not found", apperr.NotFound("会员企业x不存在"), codes.NotFound, "会员企业x不存在", false},
		{"wrapped conflict", errors.Join(errors.New("ctx"), apperr.Conflict("已被他人修改")), codes.Aborted, "已被他人修改", false},
		{"already exists", apperr.AlreadyExists("已登记"), codes.AlreadyExists, "已登记", false},
		{"quota", apperr.ResourceExhausted("名额已满"), codes.ResourceExhausted, "名额已满", false},
		{"validation", apperr.Invalid("firm.uscc", "校验位不正确"), codes.InvalidArgument, "firm.uscc", false},
		{"driver error is masked", errors.New("connection refused to db-7:27017 user=qihang"), codes.Internal, "服务内部错误", true},
		{"deadline", context.DeadlineExceeded, codes.DeadlineExceeded, "超时", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.h.Store(handlerFunc(func(context.Context) error { return tt.err }))
			err := h.call(context.Background())
			st := status.Convert(err)
			if st.Code() != tt.code || !strings.Contains(st.Message(), tt.message) {
				t.Fatalf("status = %v %q, want %v containing %q", st.Code(), st.Message(), tt.code, tt.message)
			}
			if tt.internal {
				if strings.Contains(st.Message(), "db-7") {
					t.Errorf("internal detail leaked: %q", st.Message())
				}
				id := st.Message()[strings.LastIndex(st.Message(), " ")+1:]
				if !strings.Contains(h.logs.String(), "incident="+id) || !strings.Contains(h.logs.String(), "db-7") {
					t.Errorf("incident %s not logged with the cause:\n%s", id, h.logs.String())
				}
			}
		})
	}
	h.h.Store(handlerFunc(func(context.Context) error {
		v := &apperr.ValidationError{}
		v.Add("firm.hs_codes[1]", "HS编码须为6至10位数字")
		v.Add("firm.district", "请选择所在区县")
		return v.Err()
	}))
	st := status.Convert(h.call(context.Background()))
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, fv := range br.GetFieldViolations() {
				fields = append(fields, fv.GetField())
			}
		}
	}
	if strings.Join(fields, ",") != "firm.hs_codes[1],firm.district" {
		t.Errorf("field violations = %v", fields)
	}
}

func TestPanicIsRecoveredAndMasked(t *testing.T) {
	h := newHarness(t, true)
	h.h.Store(handlerFunc(func(context.Context) error { panic("nil map write in handler") }))
	st := status.Convert(h.call(context.Background()))
	if st.Code() != codes.Internal || strings.Contains(st.Message(), "nil map") {
		t.Fatalf("panic surfaced as %v %q", st.Code(), st.Message())
	}
	if !strings.Contains(h.logs.String(), "nil map write in handler") {
		t.Error("panic not logged")
	}
	h.h.Store(handlerFunc(func(context.Context) error { return nil }))
	if err := h.call(context.Background()); err != nil {
		t.Errorf("server unusable after a panic: %v", err)
	}
}

func TestAuthenticationRequiredUnlessPublic(t *testing.T) {
	h := newHarness(t, false)
	if c := status.Code(h.call(context.Background())); c != codes.Unauthenticated {
		t.Errorf("private method without a token: %v", c)
	}
	hp := newHarness(t, true)
	if err := hp.call(context.Background()); err != nil {
		t.Errorf("public method without a token: %v", err)
	}
}

func TestDefaultDeadline(t *testing.T) {
	h := newHarness(t, true)
	var got time.Duration
	h.h.Store(handlerFunc(func(ctx context.Context) error {
		dl, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		got = time.Until(dl)
		return nil
	}))
	if err := h.call(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got <= 0 || got > time.Second {
		t.Errorf("call without a deadline got %v, want ≤ the 1s default", got)
	}
}

func TestHealthFollowsProbeAndDrain(t *testing.T) {
	h := newHarness(t, true)
	hc := healthpb.NewHealthClient(h.conn)
	status := func() healthpb.HealthCheckResponse_ServingStatus {
		r, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err != nil {
			return -1
		}
		return r.GetStatus()
	}
	waitFor := func(want healthpb.HealthCheckResponse_ServingStatus) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for status() != want {
			if time.Now().After(deadline) {
				t.Fatalf("health never became %v", want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(healthpb.HealthCheckResponse_SERVING)
	h.healthy.Store(false)
	waitFor(healthpb.HealthCheckResponse_NOT_SERVING)
	h.healthy.Store(true)
	waitFor(healthpb.HealthCheckResponse_SERVING)

	// A call in flight when the stop begins finishes; the server then stops
	// within the shutdown timeout even though a slow call ignores it.
	inFlight := make(chan struct{})
	h.h.Store(handlerFunc(func(ctx context.Context) error {
		close(inFlight)
		time.Sleep(100 * time.Millisecond)
		return nil
	}))
	res := make(chan error, 1)
	go func() { res <- h.call(context.Background()) }()
	<-inFlight
	h.cancel()
	if err := <-res; err != nil {
		t.Errorf("in-flight call cut during graceful stop: %v", err)
	}
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("server did not stop")
	}
}
