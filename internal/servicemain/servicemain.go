// Package servicemain holds the steps every Qihang binary's main would
// otherwise repeat: the signal context and exit status, the checks of the
// flags all binaries share, the logger, plaintext connections to other
// services, and serving a service on a grpcserver until the context ends.
//
// They are plain helpers, not a framework: each main still declares its own
// flags, opens its store, dials its peers and builds its service in order,
// then hands the result to Serve.
package servicemain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
)

// Main runs realMain with a context that is cancelled on SIGINT or SIGTERM.
// When realMain fails, Main prints "name: error" on stderr and exits with
// status 1 (flag.ErrHelp from --help included, as the flag package's own
// usage output has already been printed).
func Main(name string, realMain func(context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := realMain(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Required reports flags left empty: nil when every value is set, otherwise
// "<flags> are required" ("is required" for a single value). flags names
// them as the message should, e.g. "--grpc-addr and --profiles-addr".
func Required(flags string, values ...string) error {
	for _, v := range values {
		if v == "" {
			if len(values) == 1 {
				return errors.New(flags + " is required")
			}
			return errors.New(flags + " are required")
		}
	}
	return nil
}

// CheckStore reports a configuration with neither --mongo-uri nor the
// embedded database's --data-dir.
func CheckStore(mongoURI, dataDir string) error {
	if mongoURI == "" && dataDir == "" {
		return errors.New("either --mongo-uri or --data-dir is required")
	}
	return nil
}

// CheckPublicKey reports a --token-public-key that is not a base64 Ed25519
// public key.
func CheckPublicKey(key string) error {
	if _, err := auth.DecodePublicKey(key); err != nil {
		return fmt.Errorf("--token-public-key: %w", err)
	}
	return nil
}

// CheckLogLevel reports a --log-level that slog does not know (debug, info,
// warn or error, in any case, optionally with an offset such as "info+2").
func CheckLogLevel(level string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return nil
}

// NewLogger returns the JSON logger of the binary name, writing to w at
// level and tagging every record with service=name. level should have
// passed CheckLogLevel; anything else logs at info.
func NewLogger(w io.Writer, name, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})).With("service", name)
}

// Dial opens a client connection to another Qihang service at addr. The
// services talk plaintext on the deployment's private network; callers'
// tokens travel in the metadata. opts add to (or override) the defaults.
func Dial(addr string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
}

// Server describes the gRPC server of a service binary.
type Server struct {
	// Addr is the listen address (--grpc-addr).
	Addr   string
	Logger *slog.Logger
	// Verifier checks access tokens; PublicMethods may be called without
	// one (health and reflection always may).
	Verifier      *auth.Verifier
	PublicMethods []string
	// Reflection and ShutdownTimeout are the --grpc-reflection and
	// --shutdown-timeout flags; Probe, when set, drives the health status
	// (see grpcserver.Options).
	Reflection      bool
	ShutdownTimeout time.Duration
	Probe           func(context.Context) error
	// Register registers the service's gRPC services.
	Register func(*grpc.Server)
	// Alongside, when set, runs in its own goroutine from the moment the
	// listener is open until the server has stopped and drained; its context
	// is cancelled then, not when Serve's context is, and Serve waits for it
	// to return. The match service's index sync runs so.
	Alongside func(context.Context)
	// LogAttrs are added to the "serving" log line after the address.
	LogAttrs []any
}

// Serve builds s's grpcserver, registers the service, listens on s.Addr
// and serves until ctx ends, then drains. It returns nil after a stop
// caused by ctx.
func Serve(ctx context.Context, s Server) error {
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          s.Logger,
		Authenticator:   auth.NewAuthenticator(s.Verifier, s.PublicMethods...),
		Reflection:      s.Reflection,
		ShutdownTimeout: s.ShutdownTimeout,
		Probe:           s.Probe,
	})
	if err != nil {
		return err
	}
	s.Register(srv.GRPC())
	lis, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if s.Alongside != nil {
		alongsideCtx, stopAlongside := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { defer close(done); s.Alongside(alongsideCtx) }()
		defer func() { stopAlongside(); <-done }()
	}
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Info("serving", append([]any{"grpc", lis.Addr().String()}, s.LogAttrs...)...)
	return srv.Serve(ctx, lis)
}
