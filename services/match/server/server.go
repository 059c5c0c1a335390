// Package server assembles the match service — search engine, index sync
// from the profiles and catalog services, matching use cases and gRPC
// servers — for the standalone binary and the local launcher.
package server

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/profilesclient"
	"github.com/qihang-hz/qihang/services/match/app"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/indexsync"
	"github.com/qihang-hz/qihang/services/match/ports"
	"github.com/qihang-hz/qihang/services/match/sources"
)

// Conns are the connections to the services the indexes follow.
type Conns struct {
	Profiles grpc.ClientConnInterface
	Catalog  grpc.ClientConnInterface
	// Events serves invitee lists; nil leaves them UNAVAILABLE.
	Events grpc.ClientConnInterface
	// Consult feeds the experts index; nil leaves it out (no expert is
	// suggested).
	Consult grpc.ClientConnInterface
}

// Service is the assembled match service.
type Service struct {
	App    *app.Service
	Syncer *indexsync.Syncer
	match  *ports.MatchServer
	search *ports.SearchServer
}

// Options tune the service.
type Options struct {
	Sync   indexsync.Options
	Logger *slog.Logger
}

// New builds the service on engine. creds authenticate its own calls to
// the change feeds. Start the sync with Run.
func New(engine index.Engine, conns Conns, creds sources.Credentials, opts Options) *Service {
	members := app.NewMemberStats()
	var srcs []indexsync.Source
	srcs = append(srcs, sources.Profiles(conns.Profiles, creds)...)
	srcs = append(srcs, sources.Catalog(conns.Catalog, creds)...)
	if conns.Consult != nil {
		srcs = append(srcs, sources.Consult(conns.Consult, creds)...)
	}
	schemas := map[index.Kind]index.Schema{}
	for _, s := range docs.Schemas() {
		schemas[s.Kind] = s
	}
	so := opts.Sync
	so.Observer = members
	if so.Logger == nil {
		so.Logger = opts.Logger
	}
	syncer := indexsync.New(engine, srcs, schemas, so)
	var events app.Events
	if conns.Events != nil {
		events = eventsReader{eventsv1.NewEventsServiceClient(conns.Events)}
	}
	a := app.New(app.Deps{
		Engine: engine, Indexes: syncer, Profiles: profilesclient.New(conns.Profiles), Catalog: evaluator{catalogv1.NewCatalogServiceClient(conns.Catalog)},
		Events: events, Members: members, Logger: opts.Logger, Now: time.Now,
	})
	return &Service{App: a, Syncer: syncer, match: ports.NewMatchServer(a), search: ports.NewSearchServer(a)}
}

// Run builds the indexes and keeps them in step until ctx ends.
func (s *Service) Run(ctx context.Context) { s.Syncer.Run(ctx) }

// Register registers MatchService and SearchService on g.
func (s *Service) Register(g *grpc.Server) {
	matchv1.RegisterMatchServiceServer(g, s.match)
	matchv1.RegisterSearchServiceServer(g, s.search)
}

// PublicMethods are the RPCs callable without a token.
func PublicMethods() []string { return ports.PublicMethods }

// evaluator asks the catalog for evaluations with the caller's token.
type evaluator struct {
	c catalogv1.CatalogServiceClient
}

func (e evaluator) Evaluate(ctx context.Context, firmID string, policyIDs []string) ([]*catalogv1.PolicyEvaluation, error) {
	resp, err := e.c.EvaluatePolicies(auth.ForwardToken(ctx), &catalogv1.EvaluatePoliciesRequest{
		Subject: &catalogv1.EvaluatePoliciesRequest_FirmId{FirmId: firmID}, PolicyIds: policyIDs, PageSize: int32(len(policyIDs)),
	})
	if err != nil {
		return nil, err
	}
	return resp.GetEvaluations(), nil
}

// eventsReader reads events and their registrations with the caller's
// token.
type eventsReader struct{ c eventsv1.EventsServiceClient }

func (e eventsReader) GetEvent(ctx context.Context, id string) (*eventsv1.Event, error) {
	resp, err := e.c.GetEvent(auth.ForwardToken(ctx), &eventsv1.GetEventRequest{Id: id})
	if err != nil {
		return nil, err
	}
	return resp.GetEvent(), nil
}

// Registered pages through the event's registrations; cancelled and
// declined ones do not count.
func (e eventsReader) Registered(ctx context.Context, eventID string) (firms, associations []string, err error) {
	token := ""
	for range 100 {
		resp, err := e.c.ListRegistrations(auth.ForwardToken(ctx), &eventsv1.ListRegistrationsRequest{EventId: eventID, PageSize: 100, PageToken: token})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range resp.GetRegistrations() {
			switch r.GetStatus() {
			case eventsv1.RegistrationStatus_REGISTRATION_STATUS_CANCELLED, eventsv1.RegistrationStatus_REGISTRATION_STATUS_DECLINED:
				continue
			}
			if r.GetFirmId() != "" {
				firms = append(firms, r.GetFirmId())
			}
			if r.GetAssociationId() != "" {
				associations = append(associations, r.GetAssociationId())
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	return firms, associations, nil
}
