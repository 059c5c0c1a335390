// Package grpcserver is the gRPC runtime every Qihang service shares: the
// interceptor chain (logging, error mapping with masked internal errors,
// panic recovery, default deadlines, authentication), health reporting that
// turns NOT_SERVING while draining, optional reflection, message size limits
// and a graceful stop bound to a context with a hard timeout.
package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Options configures a Server. Zero durations and sizes take the defaults
// noted on each field.
type Options struct {
	Logger *slog.Logger
	// Authenticator resolves callers; required.
	Authenticator *auth.Authenticator
	// DefaultTimeout is the deadline given to calls that arrive without one
	// (default 30s).
	DefaultTimeout time.Duration
	// MaxTimeout caps the deadline a caller may ask for (default 5m).
	MaxTimeout time.Duration
	// MaxRecvMsgSize bounds request messages (default 24 MiB, room for a
	// 20 MB spreadsheet import).
	MaxRecvMsgSize int
	// MaxSendMsgSize bounds response messages (default 64 MiB, room for
	// exports).
	MaxSendMsgSize int
	// Reflection registers the reflection service (off unless asked).
	Reflection bool
	// ShutdownTimeout is how long a graceful stop may take before in-flight
	// calls are cut (default 15s).
	ShutdownTimeout time.Duration
	// Probe, when set, is called every ProbeInterval (default 5s); health
	// reports NOT_SERVING while it fails (for example, the store is down).
	Probe         func(context.Context) error
	ProbeInterval time.Duration
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.DefaultTimeout == 0 {
		o.DefaultTimeout = 30 * time.Second
	}
	if o.MaxTimeout == 0 {
		o.MaxTimeout = 5 * time.Minute
	}
	if o.MaxRecvMsgSize == 0 {
		o.MaxRecvMsgSize = 24 << 20
	}
	if o.MaxSendMsgSize == 0 {
		o.MaxSendMsgSize = 64 << 20
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 15 * time.Second
	}
	if o.ProbeInterval == 0 {
		o.ProbeInterval = 5 * time.Second
	}
}

// Server is a gRPC server with Qihang's runtime around it.
type Server struct {
	opts   Options
	grpc   *grpc.Server
	health *health.Server
}

// New returns a Server; register services on GRPC() before Serve.
func New(opts Options) (*Server, error) {
	opts.defaults()
	if opts.Authenticator == nil {
		return nil, errors.New("grpcserver: an Authenticator is required")
	}
	s := &Server{opts: opts, health: health.NewServer()}
	s.grpc = grpc.NewServer(
		grpc.ChainUnaryInterceptor(
			s.logUnary,
			s.errorsUnary,
			s.recoverUnary,
			s.deadlineUnary,
			opts.Authenticator.UnaryInterceptor(),
		),
		grpc.ChainStreamInterceptor(
			s.errorsStream,
			s.recoverStream,
			opts.Authenticator.StreamInterceptor(),
		),
		grpc.MaxRecvMsgSize(opts.MaxRecvMsgSize),
		grpc.MaxSendMsgSize(opts.MaxSendMsgSize),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	if opts.Reflection {
		reflection.Register(s.grpc)
	}
	return s, nil
}

// GRPC returns the underlying server for registering services.
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// SetServing marks the whole server ("") and each registered service as
// SERVING or NOT_SERVING.
func (s *Server) SetServing(serving bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if serving {
		st = healthpb.HealthCheckResponse_SERVING
	}
	s.health.SetServingStatus("", st)
	for name := range s.grpc.GetServiceInfo() {
		s.health.SetServingStatus(name, st)
	}
}

// Serve serves on lis until ctx is done, then drains: health turns
// NOT_SERVING, new calls are refused, in-flight calls get ShutdownTimeout to
// finish before they are cut. It returns nil after a stop caused by ctx.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	s.SetServing(true)
	errc := make(chan error, 1)
	go func() { errc <- s.grpc.Serve(lis) }()
	probeCtx, stopProbe := context.WithCancel(ctx)
	defer stopProbe()
	if s.opts.Probe != nil {
		go s.probe(probeCtx)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("grpc serve: %w", err)
	case <-ctx.Done():
	}
	stopProbe()
	s.opts.Logger.Info("grpc server draining", "addr", lis.Addr().String(), "timeout", s.opts.ShutdownTimeout)
	s.SetServing(false)
	s.health.Shutdown()
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(s.opts.ShutdownTimeout):
		s.opts.Logger.Warn("grpc graceful stop timed out; cutting remaining calls")
		s.grpc.Stop()
		<-stopped
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("grpc serve: %w", err)
	}
	return nil
}

// probe keeps health in step with the Probe until ctx ends.
func (s *Server) probe(ctx context.Context) {
	t := time.NewTicker(s.opts.ProbeInterval)
	defer t.Stop()
	healthy := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, s.opts.ProbeInterval)
		err := s.opts.Probe(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if ok := err == nil; ok != healthy {
			healthy = ok
			if ok {
				s.opts.Logger.Info("readiness probe recovered")
			} else {
				s.opts.Logger.Warn("readiness probe failed; reporting NOT_SERVING", "error", err)
			}
			s.SetServing(ok)
		}
	}
}

func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	code := status.Code(err)
	level := slog.LevelDebug
	switch code {
	case codes.OK:
	case codes.Internal, codes.Unknown, codes.DataLoss:
		level = slog.LevelError
	case codes.Unavailable, codes.DeadlineExceeded:
		level = slog.LevelWarn
	default:
		level = slog.LevelInfo
	}
	if s.opts.Logger.Enabled(ctx, level) {
		attrs := []any{"method", info.FullMethod, "code", code.String(), "duration", time.Since(start)}
		if err != nil {
			attrs = append(attrs, "error", status.Convert(err).Message())
		}
		s.opts.Logger.Log(ctx, level, "grpc call", attrs...)
	}
	return resp, err
}

// errorsUnary is the one place domain errors become statuses; internal
// errors are logged in full with an incident id and reach the client as a
// short message carrying the same id.
func (s *Server) errorsUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err == nil {
		return resp, nil
	}
	st, incident := apperr.ToStatus(err)
	if incident != "" {
		s.opts.Logger.ErrorContext(ctx, "internal error", "incident", incident, "method", info.FullMethod,
			"principal", auth.FromContext(ctx).String(), "error", err.Error())
	}
	return nil, st.Err()
}

// errorsStream is errorsUnary for streaming RPCs.
func (s *Server) errorsStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	if err == nil {
		return nil
	}
	st, incident := apperr.ToStatus(err)
	if incident != "" {
		s.opts.Logger.ErrorContext(ss.Context(), "internal error", "incident", incident, "method", info.FullMethod, "error", err.Error())
	}
	return st.Err()
}

// errPanic is returned by a handler that panicked; the error interceptor
// masks it.
type errPanic struct{ value any }

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.value) }

func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.opts.Logger.ErrorContext(ctx, "panic in handler", "method", info.FullMethod, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			resp, err = nil, errPanic{value: r}
		}
	}()
	return handler(ctx, req)
}

func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.opts.Logger.Error("panic in stream handler", "method", info.FullMethod, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			st, _ := apperr.ToStatus(errPanic{value: r})
			err = st.Err()
		}
	}()
	return handler(srv, ss)
}

// deadlineUnary gives every call a deadline: DefaultTimeout when the caller
// set none, and never more than MaxTimeout.
func (s *Server) deadlineUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	limit := s.opts.DefaultTimeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(time.Until(dl), s.opts.MaxTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return handler(ctx, req)
}
