// Command consult runs the consult service (experts, slots, clinics and
// consultations) on its own, against a MongoDB URI or, without
// one, the embedded FerretDB in --data-dir. It reads firms
// from the profiles service at --profiles-addr with the caller's token.
//
//	go run ./services/consult --mongo-uri mongodb://db:27017 --profiles-addr 10.0.0.5:9091 --token-public-key <base64>
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/config"
	"github.com/qihang-hz/qihang/internal/servicemain"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/consult/server"
)

type serviceConfig struct {
	GRPCAddr        string        `flag:"grpc-addr" env:"QIHANG_GRPC_ADDR" usage:"gRPC listen address"`
	MongoURI        string        `flag:"mongo-uri" env:"QIHANG_MONGO_URI" secret:"true" usage:"MongoDB URI; empty runs the embedded FerretDB in --data-dir"`
	DataDir         string        `flag:"data-dir" env:"QIHANG_DATA_DIR" usage:"embedded database directory (without --mongo-uri)"`
	ProfilesAddr    string        `flag:"profiles-addr" env:"QIHANG_PROFILES_ADDR" usage:"gRPC address of the profiles service"`
	MatchAddr       string        `flag:"match-addr" env:"QIHANG_MATCH_ADDR" usage:"gRPC address of the match service, which ranks expert suggestions; empty: rank by tags"`
	PublicKey       string        `flag:"token-public-key" env:"QIHANG_TOKEN_PUBLIC_KEY" usage:"base64 Ed25519 public key that verifies access tokens"`
	LogLevel        string        `flag:"log-level" env:"QIHANG_LOG_LEVEL" usage:"debug, info, warn or error"`
	Reflection      bool          `flag:"grpc-reflection" env:"QIHANG_GRPC_REFLECTION" usage:"serve gRPC reflection"`
	ShutdownTimeout time.Duration `flag:"shutdown-timeout" env:"QIHANG_SHUTDOWN_TIMEOUT" usage:"graceful stop limit"`
}

func (c *serviceConfig) Validate() error {
	return errors.Join(
		servicemain.Required("--grpc-addr and --profiles-addr", c.GRPCAddr, c.ProfilesAddr),
		servicemain.CheckStore(c.MongoURI, c.DataDir),
		servicemain.CheckPublicKey(c.PublicKey),
		servicemain.CheckLogLevel(c.LogLevel),
	)
}

func main() { servicemain.Main("consult", realMain) }

func realMain(ctx context.Context) error {
	cfg := serviceConfig{GRPCAddr: "127.0.0.1:9094", DataDir: "./data", ProfilesAddr: "127.0.0.1:9091", LogLevel: "info", ShutdownTimeout: 15 * time.Second}
	if err := config.Load("consult", &cfg, os.Args[1:], os.LookupEnv); err != nil {
		return err
	}
	logger := servicemain.NewLogger(os.Stderr, "consult", cfg.LogLevel)
	logger.Info("starting", config.Attrs(&cfg)...)
	pub, _ := auth.DecodePublicKey(cfg.PublicKey)

	st, err := store.Open(ctx, store.Config{MongoURI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	conn, err := servicemain.Dial(cfg.ProfilesAddr)
	if err != nil {
		return fmt.Errorf("dial profiles: %w", err)
	}
	defer conn.Close()
	var opts []server.Option
	if cfg.MatchAddr != "" {
		match, err := servicemain.Dial(cfg.MatchAddr)
		if err != nil {
			return fmt.Errorf("dial match: %w", err)
		}
		defer match.Close()
		opts = append(opts, server.WithMatch(match))
	}
	svc, err := server.New(ctx, st.Database(server.DatabaseName), conn, logger, opts...)
	if err != nil {
		return err
	}
	return servicemain.Serve(ctx, servicemain.Server{
		Addr: cfg.GRPCAddr, Logger: logger,
		Verifier: auth.NewVerifier(pub), PublicMethods: server.PublicMethods(),
		Reflection: cfg.Reflection, ShutdownTimeout: cfg.ShutdownTimeout, Probe: st.Ping,
		Register: svc.Register,
	})
}
