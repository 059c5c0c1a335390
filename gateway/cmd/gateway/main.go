// Command gateway runs the HTTP/JSON gateway alone, in front of services
// running elsewhere.
//
//	go run ./gateway/cmd/gateway --profiles-addr 10.0.0.5:9091 --token-public-key <base64>
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/qihang-hz/qihang/gateway"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/config"
	"github.com/qihang-hz/qihang/internal/servicemain"
)

type gatewayConfig struct {
	HTTPAddr        string        `flag:"http-addr" env:"QIHANG_HTTP_ADDR" usage:"HTTP listen address"`
	ProfilesAddr    string        `flag:"profiles-addr" env:"QIHANG_PROFILES_ADDR" usage:"gRPC address of the profiles service"`
	CatalogAddr     string        `flag:"catalog-addr" env:"QIHANG_CATALOG_ADDR" usage:"gRPC address of the catalog service (empty: not routed)"`
	EventsAddr      string        `flag:"events-addr" env:"QIHANG_EVENTS_ADDR" usage:"gRPC address of the events service (empty: not routed)"`
	ConsultAddr     string        `flag:"consult-addr" env:"QIHANG_CONSULT_ADDR" usage:"gRPC address of the consult service (empty: not routed)"`
	MatchAddr       string        `flag:"match-addr" env:"QIHANG_MATCH_ADDR" usage:"gRPC address of the match service (empty: not routed)"`
	PublicKey       string        `flag:"token-public-key" env:"QIHANG_TOKEN_PUBLIC_KEY" usage:"base64 Ed25519 public key that verifies access tokens"`
	Timeout         time.Duration `flag:"timeout" env:"QIHANG_TIMEOUT" usage:"default deadline of a request"`
	LongTimeout     time.Duration `flag:"long-timeout" env:"QIHANG_LONG_TIMEOUT" usage:"deadline of imports and exports"`
	MaxBodyBytes    int64         `flag:"max-body-bytes" env:"QIHANG_MAX_BODY_BYTES" usage:"largest JSON request body"`
	MaxUploadBytes  int64         `flag:"max-upload-bytes" env:"QIHANG_MAX_UPLOAD_BYTES" usage:"largest spreadsheet upload"`
	LogLevel        string        `flag:"log-level" env:"QIHANG_LOG_LEVEL" usage:"debug, info, warn or error"`
	ShutdownTimeout time.Duration `flag:"shutdown-timeout" env:"QIHANG_SHUTDOWN_TIMEOUT" usage:"graceful stop limit"`
}

func (c *gatewayConfig) Validate() error {
	errs := []error{
		servicemain.Required("--http-addr and --profiles-addr", c.HTTPAddr, c.ProfilesAddr),
		servicemain.CheckPublicKey(c.PublicKey),
	}
	if c.Timeout <= 0 || c.LongTimeout < c.Timeout {
		errs = append(errs, errors.New("--timeout must be positive and --long-timeout at least as long"))
	}
	if c.MaxBodyBytes < 1024 || c.MaxUploadBytes < c.MaxBodyBytes {
		errs = append(errs, errors.New("--max-body-bytes must be at least 1024 and --max-upload-bytes at least as large"))
	}
	return errors.Join(append(errs, servicemain.CheckLogLevel(c.LogLevel))...)
}

func main() { servicemain.Main("gateway", realMain) }

func realMain(ctx context.Context) error {
	cfg := gatewayConfig{
		HTTPAddr: "127.0.0.1:8080", ProfilesAddr: "127.0.0.1:9091",
		Timeout: 30 * time.Second, LongTimeout: 2 * time.Minute,
		MaxBodyBytes: 1 << 20, MaxUploadBytes: 20 << 20,
		LogLevel: "info", ShutdownTimeout: 15 * time.Second,
	}
	if err := config.Load("gateway", &cfg, os.Args[1:], os.LookupEnv); err != nil {
		return err
	}
	logger := servicemain.NewLogger(os.Stderr, "gateway", cfg.LogLevel)
	logger.Info("starting", config.Attrs(&cfg)...)
	pub, _ := auth.DecodePublicKey(cfg.PublicKey)

	dialed := map[string]*grpc.ClientConn{}
	dial := func(addr string) (*grpc.ClientConn, error) {
		if addr == "" {
			return nil, nil
		}
		if c, ok := dialed[addr]; ok {
			return c, nil
		}
		c, err := servicemain.Dial(addr, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(32<<20)))
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		dialed[addr] = c
		return c, nil
	}
	defer func() {
		for _, c := range dialed {
			c.Close()
		}
	}()
	var conns gateway.Conns
	for _, d := range []struct {
		addr string
		dst  **grpc.ClientConn
	}{
		{cfg.ProfilesAddr, &conns.Profiles}, {cfg.CatalogAddr, &conns.Catalog}, {cfg.EventsAddr, &conns.Events},
		{cfg.ConsultAddr, &conns.Consult}, {cfg.MatchAddr, &conns.Match},
	} {
		c, err := dial(d.addr)
		if err != nil {
			return err
		}
		*d.dst = c
	}
	h, err := gateway.NewHandler(ctx, gateway.Options{
		Logger: logger, Verifier: auth.NewVerifier(pub), Conns: conns,
		Timeout: cfg.Timeout, LongTimeout: cfg.LongTimeout,
		MaxBodyBytes: cfg.MaxBodyBytes, MaxUploadBytes: cfg.MaxUploadBytes,
	})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving", "http", lis.Addr().String())
	return gateway.Serve(ctx, lis, h, cfg.ShutdownTimeout, logger)
}
