// Command match runs the match service (search indexes and "who fits whom")
// on its own. It follows the change feeds of the profiles and catalog
// services and keeps its indexes in an embedded Bleve index (rebuilt on
// start in a scratch directory, or kept in --bleve-dir) or a Meilisearch
// server.
//
// The match service calls the feeds with a service token it signs itself,
// so it needs the deployment's token signing key (the file the profiles
// service signs access tokens with); it verifies callers' tokens with the
// key's public half.
//
//	go run ./services/match --profiles-addr 10.0.0.5:9091 --catalog-addr 10.0.0.6:9092 \
//	    --token-signing-key-file /run/secrets/token-signing.key \
//	    --search-engine meilisearch --meilisearch-url http://10.0.0.7:7700 --meilisearch-key …
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/config"
	"github.com/qihang-hz/qihang/internal/servicemain"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/indexsync"
	"github.com/qihang-hz/qihang/services/match/server"
)

type serviceConfig struct {
	GRPCAddr        string        `flag:"grpc-addr" env:"QIHANG_GRPC_ADDR" usage:"gRPC listen address"`
	ProfilesAddr    string        `flag:"profiles-addr" env:"QIHANG_PROFILES_ADDR" usage:"gRPC address of the profiles service"`
	CatalogAddr     string        `flag:"catalog-addr" env:"QIHANG_CATALOG_ADDR" usage:"gRPC address of the catalog service"`
	ConsultAddr     string        `flag:"consult-addr" env:"QIHANG_CONSULT_ADDR" usage:"gRPC address of the consult service (experts); empty: no experts index"`
	EventsAddr      string        `flag:"events-addr" env:"QIHANG_EVENTS_ADDR" usage:"gRPC address of the events service (invitee lists); empty: invitees unavailable"`
	SigningKeyFile  string        `flag:"token-signing-key-file" env:"QIHANG_TOKEN_SIGNING_KEY_FILE" usage:"the deployment's Ed25519 token signing key file"`
	SearchEngine    string        `flag:"search-engine" env:"QIHANG_SEARCH_ENGINE" usage:"bleve or meilisearch"`
	BleveDir        string        `flag:"bleve-dir" env:"QIHANG_BLEVE_DIR" usage:"keep the Bleve indexes here across restarts (default: a scratch directory, rebuilt on start)"`
	MeiliURL        string        `flag:"meilisearch-url" env:"QIHANG_MEILISEARCH_URL" usage:"Meilisearch server URL"`
	MeiliKey        string        `flag:"meilisearch-key" env:"QIHANG_MEILISEARCH_KEY" secret:"true" usage:"Meilisearch API key"`
	MeiliPrefix     string        `flag:"meilisearch-index-prefix" env:"QIHANG_MEILISEARCH_INDEX_PREFIX" usage:"prefix of the Meilisearch index names"`
	PollInterval    time.Duration `flag:"sync-poll-interval" env:"QIHANG_SYNC_POLL_INTERVAL" usage:"how often idle change feeds are read"`
	ReconcileEvery  time.Duration `flag:"sync-reconcile-every" env:"QIHANG_SYNC_RECONCILE_EVERY" usage:"period of the full comparison of each index with its source"`
	LogLevel        string        `flag:"log-level" env:"QIHANG_LOG_LEVEL" usage:"debug, info, warn or error"`
	Reflection      bool          `flag:"grpc-reflection" env:"QIHANG_GRPC_REFLECTION" usage:"serve gRPC reflection"`
	ShutdownTimeout time.Duration `flag:"shutdown-timeout" env:"QIHANG_SHUTDOWN_TIMEOUT" usage:"graceful stop limit"`
}

func (c *serviceConfig) Validate() error {
	var engine error
	switch c.SearchEngine {
	case "bleve":
	case "meilisearch":
		if c.MeiliURL == "" {
			engine = errors.New("--meilisearch-url is required with --search-engine meilisearch")
		}
	default:
		engine = fmt.Errorf("--search-engine %q: want bleve or meilisearch", c.SearchEngine)
	}
	return errors.Join(
		servicemain.Required("--grpc-addr, --profiles-addr and --catalog-addr", c.GRPCAddr, c.ProfilesAddr, c.CatalogAddr),
		servicemain.Required("--token-signing-key-file", c.SigningKeyFile),
		engine,
		servicemain.CheckLogLevel(c.LogLevel),
	)
}

func main() { servicemain.Main("match", realMain) }

func realMain(ctx context.Context) error {
	cfg := serviceConfig{
		GRPCAddr: "127.0.0.1:9095", ProfilesAddr: "127.0.0.1:9091", CatalogAddr: "127.0.0.1:9092", SearchEngine: "bleve",
		MeiliPrefix: "qihang_", PollInterval: 100 * time.Millisecond, ReconcileEvery: 10 * time.Minute,
		LogLevel: "info", ShutdownTimeout: 15 * time.Second,
	}
	if err := config.Load("match", &cfg, os.Args[1:], os.LookupEnv); err != nil {
		return err
	}
	logger := servicemain.NewLogger(os.Stderr, "match", cfg.LogLevel)
	logger.Info("starting", config.Attrs(&cfg)...)

	// The key must exist: a fresh one would sign tokens no other service
	// accepts.
	if _, err := os.Stat(cfg.SigningKeyFile); err != nil {
		return fmt.Errorf("--token-signing-key-file: %w", err)
	}
	key, err := auth.LoadOrCreateKey(cfg.SigningKeyFile)
	if err != nil {
		return err
	}
	var engine index.Engine
	if cfg.SearchEngine == "meilisearch" {
		engine, err = meiliindex.New(meiliindex.Options{URL: cfg.MeiliURL, Key: cfg.MeiliKey, Prefix: cfg.MeiliPrefix})
	} else {
		engine, err = bleveindex.New(bleveindex.Options{Dir: cfg.BleveDir})
	}
	if err != nil {
		return err
	}
	defer engine.Close()
	dial := func(addr string) (*grpc.ClientConn, error) {
		return servicemain.Dial(addr, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	}
	profiles, err := dial(cfg.ProfilesAddr)
	if err != nil {
		return fmt.Errorf("dial profiles: %w", err)
	}
	defer profiles.Close()
	catalog, err := dial(cfg.CatalogAddr)
	if err != nil {
		return fmt.Errorf("dial catalog: %w", err)
	}
	defer catalog.Close()

	conns := server.Conns{Profiles: profiles, Catalog: catalog}
	for _, opt := range []struct {
		addr string
		set  func(*grpc.ClientConn)
	}{
		{cfg.ConsultAddr, func(c *grpc.ClientConn) { conns.Consult = c }},
		{cfg.EventsAddr, func(c *grpc.ClientConn) { conns.Events = c }},
	} {
		if opt.addr == "" {
			continue
		}
		c, err := dial(opt.addr)
		if err != nil {
			return fmt.Errorf("dial %s: %w", opt.addr, err)
		}
		defer c.Close()
		opt.set(c)
	}
	svc := server.New(engine, conns,
		auth.NewServiceTokens(auth.NewIssuer(key, time.Hour), "match"),
		server.Options{Logger: logger, Sync: indexsync.Options{PollInterval: cfg.PollInterval, ReconcileEvery: cfg.ReconcileEvery}})
	return servicemain.Serve(ctx, servicemain.Server{
		Addr: cfg.GRPCAddr, Logger: logger,
		Verifier: auth.NewVerifier(key.Public().(ed25519.PublicKey)), PublicMethods: server.PublicMethods(),
		Reflection: cfg.Reflection, ShutdownTimeout: cfg.ShutdownTimeout,
		Register: svc.Register,
		// The index sync follows the change feeds while the server runs and
		// stops once it has drained.
		Alongside: svc.Run,
		LogAttrs:  []any{"engine", engine.Name()},
	})
}
