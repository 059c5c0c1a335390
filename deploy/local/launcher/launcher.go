// Package launcher runs all of Qihang in one process: the embedded store (or
// a MongoDB), every implemented service on one gRPC listener, and the HTTP
// gateway in front of it, with demo data on first start. It is the
// composition root of `go run ./deploy/local`; tests start it too, so the
// end-to-end suite exercises exactly what people run.
package launcher

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/qihang-hz/qihang/deploy/local/demo"
	"github.com/qihang-hz/qihang/gateway"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/config"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/store"
	catalogserver "github.com/qihang-hz/qihang/services/catalog/server"
	consultserver "github.com/qihang-hz/qihang/services/consult/server"
	eventsserver "github.com/qihang-hz/qihang/services/events/server"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/indexsync"
	matchserver "github.com/qihang-hz/qihang/services/match/server"
	profilesserver "github.com/qihang-hz/qihang/services/profiles/server"
)

// Config is the launcher's configuration.
type Config struct {
	HTTPAddr        string        `flag:"http-addr" env:"QIHANG_HTTP_ADDR" usage:"HTTP gateway listen address"`
	GRPCAddr        string        `flag:"grpc-addr" env:"QIHANG_GRPC_ADDR" usage:"gRPC listen address of the services"`
	DataDir         string        `flag:"data-dir" env:"QIHANG_DATA_DIR" usage:"directory for the embedded database and the token signing key"`
	MongoURI        string        `flag:"mongo-uri" env:"QIHANG_MONGO_URI" secret:"true" usage:"MongoDB URI; empty runs the embedded FerretDB in the data directory"`
	DemoData        bool          `flag:"demo-data" env:"QIHANG_DEMO_DATA" usage:"load sample associations, firms and accounts on first start"`
	DemoPassword    string        `flag:"demo-password" env:"QIHANG_DEMO_PASSWORD" secret:"true" usage:"password of the demo accounts"`
	AdminPassword   string        `flag:"bootstrap-admin-password" env:"QIHANG_BOOTSTRAP_ADMIN_PASSWORD" secret:"true" usage:"create the bureau admin account \"admin\" with this password if it does not exist (for installs without demo data)"`
	TokenTTL        time.Duration `flag:"token-ttl" env:"QIHANG_TOKEN_TTL" usage:"lifetime of access tokens"`
	LogLevel        string        `flag:"log-level" env:"QIHANG_LOG_LEVEL" usage:"debug, info, warn or error"`
	GRPCReflection  bool          `flag:"grpc-reflection" env:"QIHANG_GRPC_REFLECTION" usage:"serve gRPC reflection"`
	ShutdownTimeout time.Duration `flag:"shutdown-timeout" env:"QIHANG_SHUTDOWN_TIMEOUT" usage:"how long in-flight requests may take to finish on stop"`
	SearchEngine    string        `flag:"search-engine" env:"QIHANG_SEARCH_ENGINE" usage:"bleve (embedded, rebuilt on start in a scratch directory) or meilisearch"`
	MeiliURL        string        `flag:"meilisearch-url" env:"QIHANG_MEILISEARCH_URL" usage:"Meilisearch server URL (with --search-engine meilisearch)"`
	MeiliKey        string        `flag:"meilisearch-key" env:"QIHANG_MEILISEARCH_KEY" secret:"true" usage:"Meilisearch API key"`
	MeiliPrefix     string        `flag:"meilisearch-index-prefix" env:"QIHANG_MEILISEARCH_INDEX_PREFIX" usage:"prefix of the Meilisearch index names"`
	GCPercent       int           `flag:"gc-percent" env:"QIHANG_GC_PERCENT" usage:"Go garbage collector target, 0 for Go's default (the GOGC environment variable wins when set): every service, the embedded database and the search index share one heap here"`
}

// Defaults returns the configuration of a laptop install.
func Defaults() Config {
	return Config{
		HTTPAddr:        "127.0.0.1:8080",
		GRPCAddr:        "127.0.0.1:9090",
		DataDir:         "./data",
		DemoData:        true,
		DemoPassword:    "qihang-demo",
		TokenTTL:        time.Hour,
		LogLevel:        "info",
		ShutdownTimeout: 15 * time.Second,
		SearchEngine:    "bleve",
		MeiliPrefix:     "qihang_",
		// One process holds every service, the embedded database and the
		// search index: a collection every time the heap grows by its live
		// size again cost a tenth of the CPU under the match benchmark.
		GCPercent: 200,
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.HTTPAddr == "" || c.GRPCAddr == "" {
		errs = append(errs, errors.New("--http-addr and --grpc-addr are required"))
	}
	if c.GCPercent < 0 {
		errs = append(errs, errors.New("--gc-percent must be 0 (Go's default) or more"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir is required"))
	}
	if c.DemoData && len(c.DemoPassword) < 10 {
		errs = append(errs, errors.New("--demo-password must have at least 10 characters"))
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 10 {
		errs = append(errs, errors.New("--bootstrap-admin-password must have at least 10 characters"))
	}
	if c.TokenTTL < time.Minute || c.TokenTTL > 24*time.Hour {
		errs = append(errs, errors.New("--token-ttl must be between 1m and 24h"))
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("--shutdown-timeout must be positive"))
	}
	switch c.SearchEngine {
	case "bleve":
	case "meilisearch":
		if c.MeiliURL == "" {
			errs = append(errs, errors.New("--meilisearch-url is required with --search-engine meilisearch"))
		}
	default:
		errs = append(errs, fmt.Errorf("--search-engine %q: want bleve or meilisearch", c.SearchEngine))
	}
	return errors.Join(errs...)
}

// ParseLevel reads a log level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// Addrs are the addresses the launcher listens on once it is ready.
type Addrs struct {
	HTTP string
	GRPC string
}

// Run starts everything and blocks until ctx is done, then stops gracefully.
// ready, when set, is called once both listeners accept connections.
func Run(ctx context.Context, cfg Config, logger *slog.Logger, ready func(Addrs)) error {
	logger.Info("starting Qihang (local)", config.Attrs(&cfg)...)
	if os.Getenv("GOGC") == "" && cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}

	openCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := store.Open(openCtx, store.Config{MongoURI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	if st.Embedded() {
		logger.Info("embedded database started", "dir", filepath.Join(cfg.DataDir, "db"))
	}

	key, err := auth.LoadOrCreateKey(filepath.Join(cfg.DataDir, "token-signing.key"))
	if err != nil {
		return err
	}
	issuer := auth.NewIssuer(key, cfg.TokenTTL)
	verifier := auth.NewVerifier(key.Public().(ed25519.PublicKey))

	// The services listen first: the catalog reads firms and associations
	// from the profiles service over gRPC, through this same listener.
	grpcLis, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("listen gRPC: %w", err)
	}
	conn, err := grpc.NewClient(grpcLis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(32<<20)))
	if err != nil {
		grpcLis.Close()
		return fmt.Errorf("dial services: %w", err)
	}
	defer conn.Close()

	profiles, err := profilesserver.New(openCtx, st.Database(profilesserver.DatabaseName), issuer, logger)
	if err != nil {
		grpcLis.Close()
		return err
	}
	catalog, err := catalogserver.New(openCtx, st.Database(catalogserver.DatabaseName), conn, logger)
	if err != nil {
		grpcLis.Close()
		return err
	}
	consult, err := consultserver.New(openCtx, st.Database(consultserver.DatabaseName), conn, logger, consultserver.WithMatch(conn))
	if err != nil {
		grpcLis.Close()
		return err
	}
	events, err := eventsserver.New(openCtx, st.Database(eventsserver.DatabaseName), conn, logger)
	if err != nil {
		grpcLis.Close()
		return err
	}
	engine, err := openEngine(cfg)
	if err != nil {
		grpcLis.Close()
		return err
	}
	defer engine.Close()
	match := matchserver.New(engine, matchserver.Conns{Profiles: conn, Catalog: conn, Events: conn, Consult: conn}, auth.NewServiceTokens(issuer, "match"),
		matchserver.Options{Logger: logger})
	public := slices.Concat(profilesserver.PublicMethods(), catalogserver.PublicMethods(), consultserver.PublicMethods(),
		matchserver.PublicMethods(), eventsserver.PublicMethods())
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          logger,
		Authenticator:   auth.NewAuthenticator(verifier, public...),
		Reflection:      cfg.GRPCReflection,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Probe:           st.Ping,
	})
	if err != nil {
		grpcLis.Close()
		return err
	}
	profiles.Register(srv.GRPC())
	catalog.Register(srv.GRPC())
	match.Register(srv.GRPC())
	consult.Register(srv.GRPC())
	events.Register(srv.GRPC())

	// Stop order: the gateway drains first (its requests still need the
	// services), then the services.
	grpcCtx, stopGRPC := context.WithCancel(context.Background())
	defer stopGRPC()
	grpcErr := make(chan error, 1)
	go func() { grpcErr <- srv.Serve(grpcCtx, grpcLis) }()

	// Demo data first: it recognises a loaded install by its admin account,
	// which the bootstrap would otherwise create.
	if cfg.DemoData {
		if err := loadDemo(openCtx, cfg, issuer, profiles, catalog, consult, events, logger); err != nil {
			stopGRPC()
			<-grpcErr
			return err
		}
	}
	if cfg.AdminPassword != "" {
		if err := profilesserver.BootstrapAdmin(openCtx, profiles.App, cfg.AdminPassword, logger); err != nil {
			stopGRPC()
			<-grpcErr
			return err
		}
	}

	// The match service follows the other services' change feeds from
	// now on; the launcher is ready once every index has its first build,
	// however long that takes (a large store on Meilisearch takes minutes;
	// progress is logged).
	syncCtx, stopSync := context.WithCancel(context.Background())
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); match.Run(syncCtx) }()
	defer func() { stopSync(); <-syncDone }()
	if err := waitFirstBuild(ctx, match.Syncer, logger); err != nil {
		stopGRPC()
		<-grpcErr
		return fmt.Errorf("first index build: %w", err)
	}
	logger.Info("search indexes built", "engine", engine.Name())

	httpLis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		stopGRPC()
		<-grpcErr
		return fmt.Errorf("listen HTTP: %w", err)
	}
	handler, err := gateway.NewHandler(ctx, gateway.Options{
		Logger:   logger,
		Verifier: verifier,
		Conns:    gateway.Conns{Profiles: conn, Catalog: conn, Events: conn, Consult: conn, Match: conn},
	})
	if err != nil {
		httpLis.Close()
		stopGRPC()
		<-grpcErr
		return err
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	httpErr := make(chan error, 1)
	go func() { httpErr <- gateway.Serve(runCtx, httpLis, handler, cfg.ShutdownTimeout, logger) }()
	addrs := Addrs{HTTP: httpLis.Addr().String(), GRPC: grpcLis.Addr().String()}
	logger.Info("Qihang is ready", "http", "http://"+addrs.HTTP, "grpc", addrs.GRPC,
		"openapi", "http://"+addrs.HTTP+"/openapi.json")
	if ready != nil {
		ready(addrs)
	}

	var first error
	select {
	case first = <-httpErr:
		stopGRPC()
		if err := <-grpcErr; first == nil {
			first = err
		}
	case first = <-grpcErr: // the services failed: stop the gateway too
		stop()
		<-httpErr
	}
	logger.Info("Qihang stopped")
	return first
}

// openEngine opens the configured search engine.
func openEngine(cfg Config) (index.Engine, error) {
	if cfg.SearchEngine == "meilisearch" {
		return meiliindex.New(meiliindex.Options{URL: cfg.MeiliURL, Key: cfg.MeiliKey, Prefix: cfg.MeiliPrefix})
	}
	return bleveindex.New(bleveindex.Options{})
}

// loadDemo loads the demo data of every service on first start. The catalog
// checks belt associations with the profiles service over gRPC using the
// caller's token, so the load runs as the launcher's own bureau-admin
// identity with a token for it.
func loadDemo(ctx context.Context, cfg Config, issuer *auth.Issuer, profiles *profilesserver.Service, catalog *catalogserver.Service, consult *consultserver.Service, events *eventsserver.Service, logger *slog.Logger) error {
	sum, err := demo.Load(ctx, profiles.App, cfg.DemoPassword, logger)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	logDemo(logger, sum)
	system := auth.Principal{AccountID: "system", Username: "system", Role: auth.RoleBureauAdmin}
	tok, _, err := issuer.Issue(system)
	if err != nil {
		return err
	}
	cctx := metadata.NewIncomingContext(auth.WithPrincipal(ctx, system), metadata.Pairs("authorization", "Bearer "+tok))
	csum, err := demo.LoadCatalog(cctx, catalog.App, profiles.App, logger)
	if err != nil {
		return fmt.Errorf("demo catalog: %w", err)
	}
	logger.Info("demo policies and belts", "summary", fmt.Sprintf("%+v", *csum))
	xsum, err := demo.LoadConsult(cctx, consult.App, profiles.App, catalog.App, logger)
	if err != nil {
		return fmt.Errorf("demo consult: %w", err)
	}
	logger.Info("demo experts and consultations", "summary", fmt.Sprintf("%+v", *xsum))
	esum, err := demo.LoadEvents(cctx, events.App, profiles.App, catalog.App, logger)
	if err != nil {
		return fmt.Errorf("demo events: %w", err)
	}
	logger.Info("demo events", "summary", fmt.Sprintf("%+v", *esum))
	return nil
}

func logDemo(logger *slog.Logger, sum *demo.Summary) {
	if sum == nil {
		return
	}
	if sum.AlreadyLoaded {
		logger.Info("demo data already loaded")
	} else {
		logger.Info("demo data loaded", "associations", sum.Associations, "firms", sum.Firms,
			"second_memberships", sum.Memberships, "accounts", sum.NewAccounts, "elapsed", sum.Elapsed)
	}
	for _, a := range sum.Accounts {
		logger.Info("demo account", "username", a.Username, "role", a.RoleLabel, "scope", a.Scope)
	}
}

// buildProgressEvery is how often the launcher logs the progress of the
// first index build.
const buildProgressEvery = 30 * time.Second

// waitFirstBuild waits until every index has its first build, logging the
// indexes still building every buildProgressEvery.
func waitFirstBuild(ctx context.Context, s *indexsync.Syncer, logger *slog.Logger) error {
	start := time.Now()
	for {
		wctx, cancel := context.WithTimeout(ctx, buildProgressEvery)
		err := s.WaitReady(wctx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		var building []string
		for _, st := range s.Status(ctx) {
			if r := st.CurrentRebuild; r != nil {
				building = append(building, fmt.Sprintf("%s %d/%d", st.Kind, r.Indexed, r.Total))
			} else if !s.Ready(st.Kind) {
				building = append(building, string(st.Kind))
			}
		}
		logger.Info("still building the search indexes", "elapsed", time.Since(start).Round(time.Second), "building", strings.Join(building, ", "))
	}
}
