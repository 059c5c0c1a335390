// Package server assembles the profiles service — its stores, use cases and
// gRPC servers — from a database, a token issuer and a logger. Both the
// standalone binary (services/profiles) and the local launcher (deploy/local)
// build the service through it, so the wiring exists once.
package server

import (
	"context"
	"fmt"
	"log/slog"

	"google.golang.org/grpc"

	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/profiles/adapters"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
	"github.com/qihang-hz/qihang/services/profiles/ports"
)

// DatabaseName is the profiles service's database.
const DatabaseName = "qihang_profiles"

// Service is the assembled profiles service.
type Service struct {
	App      *app.Service
	profiles *ports.ProfilesServer
	identity *ports.IdentityServer
	sync     *ports.SyncServer
}

// New builds the service on db and creates its indexes.
func New(ctx context.Context, db store.Database, issuer *auth.Issuer, logger *slog.Logger) (*Service, error) {
	associations := adapters.NewAssociations(db, app.Clock)
	firms := adapters.NewFirms(db, app.Clock)
	accounts := adapters.NewAccounts(db)
	log := audit.NewLog(db, logger, app.Clock)
	for _, ensure := range []func(context.Context) error{
		associations.EnsureIndexes, firms.EnsureIndexes, accounts.EnsureIndexes, log.EnsureIndexes, firms.Feed().EnsureIndexes,
	} {
		if err := ensure(ctx); err != nil {
			return nil, err
		}
	}
	firms.StartMemberCount()
	a := app.New(app.Deps{
		Associations: associations, Firms: firms, Accounts: accounts, Audit: log,
		Issuer: issuer, Logger: logger, Now: app.Clock,
	})
	return &Service{
		App: a, profiles: ports.NewProfilesServer(a), identity: ports.NewIdentityServer(a),
		sync: ports.NewSyncServer(firms, associations),
	}, nil
}

// Register registers the profiles and identity gRPC services on g.
func (s *Service) Register(g *grpc.Server) {
	profilesv1.RegisterProfilesServiceServer(g, s.profiles)
	profilesv1.RegisterIdentityServiceServer(g, s.identity)
	profilesv1.RegisterProfilesSyncServiceServer(g, s.sync)
}

// BootstrapAdmin creates the bureau admin account "admin" with password
// unless an account of that name exists, so that an install without demo
// data can be signed into.
func BootstrapAdmin(ctx context.Context, a *app.Service, password string, logger *slog.Logger) error {
	created, err := a.EnsureAccount(ctx, &domain.Account{
		Username: "admin", DisplayName: "市局管理员", Role: auth.RoleBureauAdmin,
	}, password)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if created {
		logger.Info("bureau admin account created", "username", "admin")
	}
	return nil
}

// PublicMethods are the RPCs callable without a token.
func PublicMethods() []string { return ports.PublicMethods }
