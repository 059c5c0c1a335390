// Command local runs all of Qihang in one process on a laptop: the embedded
// database under ./data, every service, and the HTTP gateway on
// 127.0.0.1:8080, with demo data and demo accounts on first start.
//
//	go run ./deploy/local [--http-addr 127.0.0.1:8080] [--grpc-addr 127.0.0.1:9090] [--data-dir ./data]
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/qihang-hz/qihang/deploy/local/launcher"
	"github.com/qihang-hz/qihang/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "qihang:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context) error {
	cfg := launcher.Defaults()
	if err := config.Load("local", &cfg, os.Args[1:], os.LookupEnv); err != nil {
		return err
	}
	level, _ := launcher.ParseLevel(cfg.LogLevel)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	return launcher.Run(ctx, cfg, logger, nil)
}
