// Package server assembles the consult service — stores, profiles client,
// use cases and gRPC servers — for the standalone binary and the local
// launcher.
package server

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/profilesclient"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/app"
	"github.com/qihang-hz/qihang/services/consult/matchranker"
	"github.com/qihang-hz/qihang/services/consult/ports"
)

// DatabaseName is the consult service's database.
const DatabaseName = "qihang_consult"

// Service is the assembled consult service.
type Service struct {
	App          *app.Service
	experts      *ports.ExpertServer
	consultation *ports.ConsultationServer
	sync         *ports.SyncServer
}

// New builds the service on db, reading firms from the profiles service over
// profiles with the caller's token, and creates its indexes and default
// settings. Expert suggestions rank by tags unless WithMatch names the match
// service.
func New(ctx context.Context, db store.Database, profiles grpc.ClientConnInterface, logger *slog.Logger, opts ...Option) (*Service, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	st := adapters.New(db)
	log := audit.NewLog(db, logger, app.Clock)
	for _, ensure := range []func(context.Context) error{st.EnsureIndexes, st.Settings.Init, log.EnsureIndexes, st.Feed.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			return nil, err
		}
	}
	var ranker app.Ranker
	if o.match != nil {
		ranker = matchranker.New(o.match)
	}
	a := app.New(app.Deps{Store: st, Profiles: profilesclient.New(profiles), Ranker: ranker, Audit: log, Logger: logger, Now: app.Clock})
	return &Service{
		App: a, experts: ports.NewExpertServer(a), consultation: ports.NewConsultationServer(a),
		sync: ports.NewSyncServer(st, app.Clock),
	}, nil
}

// Option configures New.
type Option func(*options)

type options struct{ match grpc.ClientConnInterface }

// WithMatch ranks expert suggestions through the match service at conn
// (falling back to tags while it cannot answer).
func WithMatch(conn grpc.ClientConnInterface) Option { return func(o *options) { o.match = conn } }

// Register registers ExpertService, ConsultationService and the experts'
// change feed (ConsultSyncService) on g.
func (s *Service) Register(g *grpc.Server) {
	consultv1.RegisterExpertServiceServer(g, s.experts)
	consultv1.RegisterConsultationServiceServer(g, s.consultation)
	consultv1.RegisterConsultSyncServiceServer(g, s.sync)
}

// PublicMethods are the RPCs callable without a token (none: see
// ports.PublicMethods).
func PublicMethods() []string { return ports.PublicMethods }
