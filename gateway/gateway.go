// Package gateway is Qihang's HTTP/JSON entry point: grpc-gateway handlers for
// every RPC, registered against client connections to the services (never
// in-process, so the services' interceptors always run), wrapped in the HTTP
// concerns the services cannot see: early token checks, default deadlines,
// body size limits, spreadsheet uploads and downloads, health, readiness and
// the OpenAPI document.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/qihang-hz/qihang/gateway/openapi"
	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Conns are the client connections to the services; several may be the
// same connection (the local launcher serves all services on one address).
type Conns struct {
	Profiles *grpc.ClientConn
	Catalog  *grpc.ClientConn
	Events   *grpc.ClientConn
	Consult  *grpc.ClientConn
	Match    *grpc.ClientConn
}

func (c Conns) distinct() map[string]*grpc.ClientConn {
	out := map[string]*grpc.ClientConn{}
	for name, conn := range map[string]*grpc.ClientConn{
		"profiles": c.Profiles, "catalog": c.Catalog, "events": c.Events, "consult": c.Consult, "match": c.Match,
	} {
		if conn != nil {
			out[name] = conn
		}
	}
	return out
}

// Options configures the gateway handler. Zero values take the defaults
// noted.
type Options struct {
	Logger   *slog.Logger
	Verifier *auth.Verifier
	Conns    Conns
	// Timeout is the deadline of a call that asks for none (default 30s).
	Timeout time.Duration
	// LongTimeout is the deadline of imports and exports (default 2m).
	LongTimeout time.Duration
	// MaxBodyBytes bounds JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes bounds spreadsheet uploads (default 20 MiB of file;
	// base64 in JSON may take a third more).
	MaxUploadBytes int64
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.LongTimeout == 0 {
		o.LongTimeout = 2 * time.Minute
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxUploadBytes == 0 {
		o.MaxUploadBytes = 20 << 20
	}
}

// registrations lists every service's handler registration with the
// connection it uses.
func registrations(c Conns) []struct {
	name string
	conn *grpc.ClientConn
	fn   func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
} {
	type reg = struct {
		name string
		conn *grpc.ClientConn
		fn   func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
	}
	return []reg{
		{"identity", c.Profiles, profilesv1.RegisterIdentityServiceHandler},
		{"profiles", c.Profiles, profilesv1.RegisterProfilesServiceHandler},
		{"catalog", c.Catalog, catalogv1.RegisterCatalogServiceHandler},
		{"events", c.Events, eventsv1.RegisterEventsServiceHandler},
		{"matchmaking", c.Events, eventsv1.RegisterMatchmakingServiceHandler},
		{"experts", c.Consult, consultv1.RegisterExpertServiceHandler},
		{"consultations", c.Consult, consultv1.RegisterConsultationServiceHandler},
		{"match", c.Match, matchv1.RegisterMatchServiceHandler},
		{"search", c.Match, matchv1.RegisterSearchServiceHandler},
	}
}

// jsonMarshaler writes snake_case field names, as the contract and the
// OpenAPI document spell them, and rejects unknown fields in requests.
func jsonMarshaler() *runtime.JSONPb {
	return &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}
}

// NewHandler returns the gateway's HTTP handler.
func NewHandler(ctx context.Context, opts Options) (http.Handler, error) {
	opts.defaults()
	if opts.Verifier == nil {
		return nil, errors.New("gateway: a token verifier is required")
	}
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, jsonMarshaler()),
		runtime.WithErrorHandler(errorHandler(opts.Logger)),
		runtime.WithRoutingErrorHandler(routingErrorHandler),
		runtime.WithIncomingHeaderMatcher(incomingHeaders),
		runtime.WithOutgoingHeaderMatcher(func(string) (string, bool) { return "", false }),
	)
	for _, r := range registrations(opts.Conns) {
		if r.conn == nil {
			continue
		}
		if err := r.fn(ctx, mux, r.conn); err != nil {
			return nil, fmt.Errorf("gateway: register %s: %w", r.name, err)
		}
	}

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.HandleFunc("GET /readyz", readiness(opts.Conns))
	root.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(openapi.Document)
	})
	var api http.Handler = mux
	api = downloads(api)
	api = uploads(api, opts.MaxUploadBytes)
	api = bodyLimit(api, opts.MaxBodyBytes, opts.MaxUploadBytes)
	api = uploadSlots(api, 4)
	api = deadlines(api, opts.Timeout, opts.LongTimeout)
	api = authenticate(api, opts.Verifier)
	root.Handle("/v1/", api)
	return accessLog(root, opts.Logger), nil
}

// incomingHeaders forwards the bearer token and the request id to the
// services; everything else stays at the edge.
func incomingHeaders(key string) (string, bool) {
	switch http.CanonicalHeaderKey(key) {
	case "Authorization":
		return "authorization", true
	case "X-Request-Id":
		return "x-request-id", true
	}
	return "", false
}

// readiness reports 200 when every service answers SERVING on its health
// check (the services report NOT_SERVING when their store is unreachable or
// while they drain).
func readiness(c Conns) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		report := map[string]string{}
		ok := true
		for name, conn := range c.distinct() {
			resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			switch {
			case err != nil:
				report[name], ok = "unreachable", false
			case resp.GetStatus() != healthpb.HealthCheckResponse_SERVING:
				report[name], ok = resp.GetStatus().String(), false
			default:
				report[name] = "SERVING"
			}
		}
		code := http.StatusOK
		if !ok {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, map[string]any{"ready": ok, "services": report})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Serve runs an HTTP server for h on lis until ctx is done, then shuts it
// down, giving in-flight requests up to grace to finish.
func Serve(ctx context.Context, lis net.Listener, h http.Handler, grace time.Duration, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       3 * time.Minute,
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("http server draining", "addr", lis.Addr().String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http serve: %w", err)
	}
	return nil
}
