// Package server assembles the catalog service — stores, eligibility engine,
// profiles client, use cases and gRPC server — for the standalone binary and
// the local launcher.
package server

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/profilesclient"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
	"github.com/qihang-hz/qihang/services/catalog/app"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
	"github.com/qihang-hz/qihang/services/catalog/ports"
)

// DatabaseName is the catalog service's database.
const DatabaseName = "qihang_catalog"

// Service is the assembled catalog service.
type Service struct {
	App    *app.Service
	server *ports.CatalogServer
	sync   *ports.SyncServer
}

// New builds the service on db, reading firms and associations from the
// profiles service over profiles, and creates its indexes.
func New(ctx context.Context, db store.Database, profiles grpc.ClientConnInterface, logger *slog.Logger) (*Service, error) {
	policies := adapters.NewPolicies(db, app.Clock, logger)
	belts := adapters.NewBelts(db, app.Clock)
	log := audit.NewLog(db, logger, app.Clock)
	for _, ensure := range []func(context.Context) error{policies.EnsureIndexes, belts.EnsureIndexes, log.EnsureIndexes, policies.Feed().EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			return nil, err
		}
	}
	engine, err := eligibility.NewEngine(eligibility.Options{})
	if err != nil {
		return nil, err
	}
	a := app.New(app.Deps{
		Policies: policies, Belts: belts, Profiles: profilesclient.New(profiles), Engine: engine,
		Audit: log, Logger: logger, Now: app.Clock,
	})
	return &Service{App: a, server: ports.NewCatalogServer(a), sync: ports.NewSyncServer(policies, belts)}, nil
}

// Register registers the catalog's gRPC services on g.
func (s *Service) Register(g *grpc.Server) {
	catalogv1.RegisterCatalogServiceServer(g, s.server)
	catalogv1.RegisterCatalogSyncServiceServer(g, s.sync)
}

// PublicMethods are the RPCs callable without a token.
func PublicMethods() []string { return ports.PublicMethods }
