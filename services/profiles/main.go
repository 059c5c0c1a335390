// Command profiles runs the profiles service (associations, member firms,
// accounts) on its own, against a MongoDB URI or, without one, the embedded
// FerretDB in --data-dir.
//
//	go run ./services/profiles --mongo-uri mongodb://db:27017 --token-signing-key <base64 seed>
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/config"
	"github.com/qihang-hz/qihang/internal/servicemain"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/profiles/server"
)

type serviceConfig struct {
	GRPCAddr        string        `flag:"grpc-addr" env:"QIHANG_GRPC_ADDR" usage:"gRPC listen address"`
	MongoURI        string        `flag:"mongo-uri" env:"QIHANG_MONGO_URI" secret:"true" usage:"MongoDB URI; empty runs the embedded FerretDB in --data-dir"`
	DataDir         string        `flag:"data-dir" env:"QIHANG_DATA_DIR" usage:"embedded database directory (without --mongo-uri)"`
	AdminPassword   string        `flag:"bootstrap-admin-password" env:"QIHANG_BOOTSTRAP_ADMIN_PASSWORD" secret:"true" usage:"create the bureau admin account \"admin\" with this password if it does not exist"`
	SigningKey      string        `flag:"token-signing-key" env:"QIHANG_TOKEN_SIGNING_KEY" secret:"true" usage:"base64 Ed25519 seed that signs access tokens; empty keeps one in --data-dir"`
	TokenTTL        time.Duration `flag:"token-ttl" env:"QIHANG_TOKEN_TTL" usage:"lifetime of access tokens"`
	LogLevel        string        `flag:"log-level" env:"QIHANG_LOG_LEVEL" usage:"debug, info, warn or error"`
	Reflection      bool          `flag:"grpc-reflection" env:"QIHANG_GRPC_REFLECTION" usage:"serve gRPC reflection"`
	ShutdownTimeout time.Duration `flag:"shutdown-timeout" env:"QIHANG_SHUTDOWN_TIMEOUT" usage:"graceful stop limit"`
}

func (c *serviceConfig) Validate() error {
	errs := []error{
		servicemain.Required("--grpc-addr", c.GRPCAddr),
		servicemain.CheckStore(c.MongoURI, c.DataDir),
	}
	if c.SigningKey == "" && (c.DataDir == "" || c.MongoURI != "") {
		// Against a shared MongoDB every replica must sign with the same
		// key; a key kept in a local data directory would differ per replica.
		errs = append(errs, errors.New("--token-signing-key is required with --mongo-uri (and without --data-dir)"))
	}
	if c.SigningKey != "" {
		if _, err := auth.DecodePrivateKey(c.SigningKey); err != nil {
			errs = append(errs, fmt.Errorf("--token-signing-key: %w", err))
		}
	}
	if c.TokenTTL < time.Minute || c.TokenTTL > 24*time.Hour {
		errs = append(errs, errors.New("--token-ttl must be between 1m and 24h"))
	}
	return errors.Join(append(errs, servicemain.CheckLogLevel(c.LogLevel))...)
}

func main() { servicemain.Main("profiles", realMain) }

func realMain(ctx context.Context) error {
	cfg := serviceConfig{GRPCAddr: "127.0.0.1:9091", DataDir: "./data", TokenTTL: time.Hour, LogLevel: "info", ShutdownTimeout: 15 * time.Second}
	if err := config.Load("profiles", &cfg, os.Args[1:], os.LookupEnv); err != nil {
		return err
	}
	logger := servicemain.NewLogger(os.Stderr, "profiles", cfg.LogLevel)
	logger.Info("starting", config.Attrs(&cfg)...)

	st, err := store.Open(ctx, store.Config{MongoURI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close(context.Background())

	key, err := signingKey(cfg)
	if err != nil {
		return err
	}
	issuer := auth.NewIssuer(key, cfg.TokenTTL)
	logger.Info("token verification key (give it to the other services and the gateway)", "public_key", auth.EncodePublicKey(key.Public().(ed25519.PublicKey)))

	svc, err := server.New(ctx, st.Database(server.DatabaseName), issuer, logger)
	if err != nil {
		return err
	}
	if cfg.AdminPassword != "" {
		if err := server.BootstrapAdmin(ctx, svc.App, cfg.AdminPassword, logger); err != nil {
			return err
		}
	}
	return servicemain.Serve(ctx, servicemain.Server{
		Addr: cfg.GRPCAddr, Logger: logger,
		Verifier: auth.NewVerifier(key.Public().(ed25519.PublicKey)), PublicMethods: server.PublicMethods(),
		Reflection: cfg.Reflection, ShutdownTimeout: cfg.ShutdownTimeout, Probe: st.Ping,
		Register: svc.Register,
	})
}

func signingKey(cfg serviceConfig) (ed25519.PrivateKey, error) {
	if cfg.SigningKey != "" {
		return auth.DecodePrivateKey(cfg.SigningKey)
	}
	return auth.LoadOrCreateKey(filepath.Join(cfg.DataDir, "token-signing.key"))
}
