// Package server assembles the events service — stores, profiles client, use
// cases and the two gRPC services (EventsService, MatchmakingService) — for
// the standalone binary and the local launcher.
package server

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/profilesclient"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/app"
	"github.com/qihang-hz/qihang/services/events/ports"
)

// DatabaseName is the events service's database.
const DatabaseName = "qihang_events"

// Service is the assembled events service.
type Service struct {
	App         *app.Service
	events      *ports.EventsServer
	matchmaking *ports.MatchmakingServer
}

// New builds the service on db, reading firms and associations from the
// profiles service over profiles with the caller's token, and creates its
// indexes.
func New(ctx context.Context, db store.Database, profiles grpc.ClientConnInterface, logger *slog.Logger) (*Service, error) {
	stores := adapters.NewStores(db, app.Clock)
	log := audit.NewLog(db, logger, app.Clock)
	for _, ensure := range []func(context.Context) error{stores.EnsureIndexes, log.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			return nil, err
		}
	}
	a := app.New(app.Deps{Stores: stores, Profiles: profilesclient.New(profiles), Audit: log, Logger: logger, Now: app.Clock})
	return &Service{App: a, events: ports.NewEventsServer(a), matchmaking: ports.NewMatchmakingServer(a)}, nil
}

// Register registers EventsService and MatchmakingService on g.
func (s *Service) Register(g *grpc.Server) {
	eventsv1.RegisterEventsServiceServer(g, s.events)
	eventsv1.RegisterMatchmakingServiceServer(g, s.matchmaking)
}

// PublicMethods are the RPCs callable without a token.
func PublicMethods() []string { return ports.PublicMethods }
