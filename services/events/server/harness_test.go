package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/accesstest"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/events/server"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
	profilesserver "github.com/qihang-hz/qihang/services/profiles/server"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const (
	roleAnonymous = accesstest.RoleAnonymous
	roleBureau    = accesstest.RoleBureau
	roleOfficer   = accesstest.RoleOfficer
	roleAssoc     = accesstest.RoleAssoc
	roleFirm      = accesstest.RoleFirm
	roleExpert    = accesstest.RoleExpert
)

type target = accesstest.Target

const (
	own   = accesstest.Own
	other = accesstest.Other
)

func pick[T any](tg target, ifOwn, ifOther T) T { return accesstest.Pick(tg, ifOwn, ifOther) }

const testPassword = "Qihang-test-2025"

type caller struct {
	role     string
	username string
	token    string
}

// harness is one real gRPC server hosting the profiles and events services
// on fresh databases with the production interceptors; events reads firms
// and associations from profiles through a client connection to the same
// server, as the launcher wires it. Callers sign in through Login.
type harness struct {
	profilesSvc *profilesserver.Service
	eventsSvc   *server.Service
	events      eventsv1.EventsServiceClient
	mm          eventsv1.MatchmakingServiceClient
	identity    profilesv1.IdentityServiceClient
	system      context.Context

	// assocA and firmA (its member) are in XIAOSHAN, the officer's district;
	// assocB and firmB in XIHU.
	assocA, assocB string
	firmA, firmB   string
	callers        map[string]*caller
	serial         atomic.Int64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	profilesDB, eventsDB := storetest.NewDatabase(t), storetest.NewDatabase(t)
	pub, priv, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(priv, time.Hour)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	profiles, err := profilesserver.New(ctx, profilesDB, issuer, logger)
	if err != nil {
		t.Fatalf("profiles server.New: %v", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		lis.Close()
		t.Fatal(err)
	}
	events, err := server.New(ctx, eventsDB, conn, logger)
	if err != nil {
		lis.Close()
		t.Fatalf("events server.New: %v", err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          logger,
		Authenticator:   auth.NewAuthenticator(auth.NewVerifier(pub), append(profilesserver.PublicMethods(), server.PublicMethods()...)...),
		ShutdownTimeout: 2 * time.Second,
	})
	if err != nil {
		lis.Close()
		t.Fatalf("grpcserver.New: %v", err)
	}
	profiles.Register(srv.GRPC())
	events.Register(srv.GRPC())
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, lis) }()
	t.Cleanup(func() {
		_ = conn.Close()
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	system := auth.Principal{AccountID: "system", Username: "system", Role: auth.RoleBureauAdmin}
	tok, _, err := issuer.Issue(system)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{
		profilesSvc: profiles, eventsSvc: events,
		events:   eventsv1.NewEventsServiceClient(conn),
		mm:       eventsv1.NewMatchmakingServiceClient(conn),
		identity: profilesv1.NewIdentityServiceClient(conn),
		system: metadata.NewIncomingContext(auth.WithPrincipal(context.Background(), system),
			metadata.Pairs("authorization", "Bearer "+tok)),
	}
	h.assocA = h.newAssociation(t, commonv1.District_DISTRICT_XIAOSHAN)
	h.assocB = h.newAssociation(t, commonv1.District_DISTRICT_XIHU)
	h.firmA = h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA)
	h.firmB = h.newFirm(t, commonv1.District_DISTRICT_XIHU, h.assocB)
	accounts := []struct {
		role string
		acc  profilesdomain.Account
	}{
		{roleBureau, profilesdomain.Account{Username: "bureau", Role: auth.RoleBureauAdmin}},
		{roleOfficer, profilesdomain.Account{Username: "officer_xs", Role: auth.RoleDistrictOfficer, District: commonv1.District_DISTRICT_XIAOSHAN}},
		{roleAssoc, profilesdomain.Account{Username: "assoc_a", Role: auth.RoleAssociationAdmin, AssociationID: h.assocA}},
		{roleFirm, profilesdomain.Account{Username: "firm_a", Role: auth.RoleFirmUser, FirmID: h.firmA}},
		{roleExpert, profilesdomain.Account{Username: "expert_e1", Role: auth.RoleExpert, ExpertID: "e1"}},
	}
	h.callers = map[string]*caller{roleAnonymous: {role: roleAnonymous}}
	for _, a := range accounts {
		acc := a.acc
		acc.DisplayName = "测试" + acc.Username
		if created, err := profiles.App.EnsureAccount(h.system, &acc, testPassword); err != nil || !created {
			t.Fatalf("fixture account %s: created=%v err=%v", acc.Username, created, err)
		}
		h.callers[a.role] = &caller{role: a.role, username: acc.Username, token: h.login(t, acc.Username)}
	}
	return h
}

func (h *harness) ctx(t *testing.T, c *caller) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	if c != nil && c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
	}
	return ctx
}

func (h *harness) as(t *testing.T, role string) context.Context { return h.ctx(t, h.callers[role]) }

func (h *harness) login(t *testing.T, username string) string {
	t.Helper()
	resp, err := h.identity.Login(h.ctx(t, nil), &profilesv1.LoginRequest{Username: username, Password: testPassword})
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return resp.GetAccessToken()
}

func (h *harness) next() int64 { return h.serial.Add(1) }

func validUSCC(t *testing.T, prefix string, n int64) string {
	t.Helper()
	first := fmt.Sprintf("%s%09d", prefix, n)
	c, ok := uscc.CheckChar(first)
	if !ok {
		t.Fatalf("uscc.CheckChar(%q) failed", first)
	}
	return first + string(c)
}

func (h *harness) newAssociation(t *testing.T, d commonv1.District) string {
	t.Helper()
	v, err := h.profilesSvc.App.CreateAssociation(h.system, &profilesdomain.Association{
		USCC: validUSCC(t, "51330100", h.next()), Name: fmt.Sprintf("杭州市%s测试行业协会%d", refdata.Label(d), h.next()),
		Type: profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION, District: d,
		Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL},
		Contact:    profilesdomain.Contact{Name: "王丽", Title: "秘书长", Phone: "13800001234"},
	})
	if err != nil {
		t.Fatalf("fixture association: %v", err)
	}
	return v.ID
}

func (h *harness) newFirm(t *testing.T, d commonv1.District, assoc string) string {
	t.Helper()
	v, err := h.profilesSvc.App.CreateFirm(h.system, assoc, &profilesdomain.Firm{
		USCC: validUSCC(t, "91330100", h.next()), Name: fmt.Sprintf("杭州测试%d服饰有限公司", h.next()), District: d,
		Industry: commonv1.Industry_INDUSTRY_APPAREL, MainProducts: "针织衫",
		Stage:    commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		Contacts: []profilesdomain.Contact{{Name: "张伟", Phone: "13812345678"}},
	})
	if err != nil {
		t.Fatalf("fixture firm: %v", err)
	}
	return v.Firm.ID
}

func district(tg target) commonv1.District {
	return pick(tg, commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU)
}
func (h *harness) association(tg target) string { return pick(tg, h.assocA, h.assocB) }
func (h *harness) firm(tg target) string        { return pick(tg, h.firmA, h.firmB) }

// eventMessage is a valid event of tg's district, starting in one hour (so
// registration is open now and check-in has begun) and lasting four hours.
func (h *harness) eventMessage(tg target, kind eventsv1.EventKind) *eventsv1.Event {
	now := time.Now()
	e := &eventsv1.Event{
		Kind: kind, Title: fmt.Sprintf("%s跨境电商测试活动%d", refdata.Label(district(tg)), h.next()),
		Summary: "测试活动", Organiser: "杭州市商务局", District: district(tg), Venue: "杭州国际博览中心",
		StartTime: timestamppb.New(now.Add(time.Hour)), EndTime: timestamppb.New(now.Add(5 * time.Hour)),
		Audience:         eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS_AND_FIRMS,
		RegistrationMode: eventsv1.RegistrationMode_REGISTRATION_MODE_OPEN,
		Capacity:         100, WaitlistEnabled: true,
	}
	switch kind {
	case eventsv1.EventKind_EVENT_KIND_TRAINING:
		e.Sessions = []*eventsv1.Session{
			{Title: "亚马逊欧洲站合规", StartTime: timestamppb.New(now.Add(time.Hour)), EndTime: timestamppb.New(now.Add(2 * time.Hour))},
			{Title: "跨境物流实务", StartTime: timestamppb.New(now.Add(3 * time.Hour)), EndTime: timestamppb.New(now.Add(4 * time.Hour))},
		}
		e.CertificateMinSessions, e.EliteRecommendationQuota = 1, 1
	case eventsv1.EventKind_EVENT_KIND_BRAND_EVENT:
		e.IndustryBeltIds = []string{"belt-test"}
	case eventsv1.EventKind_EVENT_KIND_EXPO:
		e.BoothCount = 10
	}
	return e
}

// newEvent creates an event as the system, applies edit, and publishes it
// when publish is set.
func (h *harness) newEvent(t *testing.T, tg target, publish bool, edit func(*eventsv1.Event)) *eventsv1.Event {
	t.Helper()
	msg := h.eventMessage(tg, eventsv1.EventKind_EVENT_KIND_EXPO)
	if edit != nil {
		edit(msg)
	}
	a := h.eventsSvc.App
	e, err := a.CreateEvent(h.system, msg)
	if err != nil {
		t.Fatalf("fixture event: %v", err)
	}
	if publish {
		if e, err = a.PublishEvent(h.system, e.GetId(), e.GetEtag()); err != nil {
			t.Fatalf("fixture event: publish: %v", err)
		}
	}
	return e
}

// attendee returns a fresh attendee with a unique mobile number.
func (h *harness) attendee() *commonv1.Contact {
	return &commonv1.Contact{Name: "李明", Phone: fmt.Sprintf("139%08d", h.next())}
}

// register registers firm (or association when assoc is set) as the system.
func (h *harness) register(t *testing.T, eventID, firmID, assocID string) *eventsv1.Registration {
	t.Helper()
	r, err := h.eventsSvc.App.CreateRegistration(h.system, eventID, &eventsv1.Registration{FirmId: firmID, AssociationId: assocID, Attendee: h.attendee()})
	if err != nil {
		t.Fatalf("fixture registration: %v", err)
	}
	return r
}

func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

// violations returns the field violations of an INVALID_ARGUMENT error.
func violations(err error) map[string]string {
	out := map[string]string{}
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out[v.GetField()] = v.GetDescription()
			}
		}
	}
	return out
}
