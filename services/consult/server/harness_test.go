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

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/accesstest"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/consult/domain"
	"github.com/qihang-hz/qihang/services/consult/server"
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

// caller is one signed-in account of the fixture (or the anonymous caller).
type caller struct {
	role  string
	token string
}

// harness is one real gRPC server hosting the profiles and the consult
// service on fresh databases with the production interceptors; consult reads
// firms from profiles through a client connection to that same server, as
// the launcher wires it. Fixtures are written through the consult app as a
// synthetic bureau principal (with a token, which consult forwards to
// profiles); callers' tokens come from the real Login RPC.
type harness struct {
	profilesSvc *profilesserver.Service
	svc         *server.Service
	conn        *grpc.ClientConn
	experts     consultv1.ExpertServiceClient
	consult     consultv1.ConsultationServiceClient
	identity    profilesv1.IdentityServiceClient
	system      context.Context

	assocA, assocB string
	firmA, firmB   string
	// expertA is the expert account's own expert; expertB another.
	expertA, expertB string
	callers          map[string]*caller
	serial           atomic.Int64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	pub, priv, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(priv, time.Hour)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	profiles, err := profilesserver.New(ctx, storetest.NewDatabase(t), issuer, logger)
	if err != nil {
		t.Fatalf("profiles server.New: %v", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := server.New(ctx, storetest.NewDatabase(t), conn, logger)
	if err != nil {
		t.Fatalf("consult server.New: %v", err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          logger,
		Authenticator:   auth.NewAuthenticator(auth.NewVerifier(pub), append(profilesserver.PublicMethods(), server.PublicMethods()...)...),
		ShutdownTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	profiles.Register(srv.GRPC())
	svc.Register(srv.GRPC())
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
		profilesSvc: profiles, svc: svc, conn: conn,
		experts:  consultv1.NewExpertServiceClient(conn),
		consult:  consultv1.NewConsultationServiceClient(conn),
		identity: profilesv1.NewIdentityServiceClient(conn),
		system: metadata.NewIncomingContext(auth.WithPrincipal(context.Background(), system),
			metadata.Pairs("authorization", "Bearer "+tok)),
	}
	h.assocA = h.newAssociation(t, commonv1.District_DISTRICT_XIAOSHAN)
	h.assocB = h.newAssociation(t, commonv1.District_DISTRICT_XIHU)
	h.firmA = h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA)
	h.firmB = h.newFirm(t, commonv1.District_DISTRICT_XIHU, h.assocB)
	h.expertA = h.newExpert(t, 40).GetId()
	h.expertB = h.newExpert(t, 40).GetId()
	// A generous quota so the fixtures never run out; quota tests set
	// their own.
	h.setQuota(t, consultv1.QuotaPeriod_QUOTA_PERIOD_YEAR, 50)

	accounts := []struct {
		role string
		acc  profilesdomain.Account
	}{
		{roleBureau, profilesdomain.Account{Username: "bureau", Role: auth.RoleBureauAdmin}},
		{roleOfficer, profilesdomain.Account{Username: "officer_xs", Role: auth.RoleDistrictOfficer, District: commonv1.District_DISTRICT_XIAOSHAN}},
		{roleAssoc, profilesdomain.Account{Username: "assoc_a", Role: auth.RoleAssociationAdmin, AssociationID: h.assocA}},
		{roleFirm, profilesdomain.Account{Username: "firm_a", Role: auth.RoleFirmUser, FirmID: h.firmA}},
		{roleExpert, profilesdomain.Account{Username: "expert_a", Role: auth.RoleExpert, ExpertID: h.expertA}},
	}
	h.callers = map[string]*caller{roleAnonymous: {role: roleAnonymous}}
	for _, a := range accounts {
		acc := a.acc
		acc.DisplayName = "测试" + acc.Username
		if _, err := profiles.App.EnsureAccount(h.system, &acc, testPassword); err != nil {
			t.Fatalf("fixture account %s: %v", acc.Username, err)
		}
		h.callers[a.role] = &caller{role: a.role, token: h.login(t, acc.Username)}
	}
	return h
}

func (h *harness) ctx(t testing.TB, c *caller) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	if c != nil && c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
	}
	return ctx
}

func (h *harness) login(t testing.TB, username string) string {
	t.Helper()
	resp, err := h.identity.Login(h.ctx(t, nil), &profilesv1.LoginRequest{Username: username, Password: testPassword})
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return resp.GetAccessToken()
}

// addAccount creates another account and returns a caller for it.
func (h *harness) addAccount(t testing.TB, acc profilesdomain.Account) *caller {
	t.Helper()
	acc.DisplayName = "测试" + acc.Username
	if _, err := h.profilesSvc.App.EnsureAccount(h.system, &acc, testPassword); err != nil {
		t.Fatalf("account %s: %v", acc.Username, err)
	}
	return &caller{role: string(acc.Role), token: h.login(t, acc.Username)}
}

func (h *harness) next() int64 { return h.serial.Add(1) }

func validUSCC(t testing.TB, prefix string, n int64) string {
	t.Helper()
	first := fmt.Sprintf("%s%09d", prefix, n)
	c, ok := uscc.CheckChar(first)
	if !ok {
		t.Fatalf("uscc.CheckChar(%q) failed", first)
	}
	return first + string(c)
}

func (h *harness) newAssociation(t testing.TB, d commonv1.District) string {
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

func (h *harness) newFirm(t testing.TB, d commonv1.District, assoc string) string {
	t.Helper()
	v, err := h.profilesSvc.App.CreateFirm(h.system, assoc, &profilesdomain.Firm{
		USCC: validUSCC(t, "91330100", h.next()), Name: fmt.Sprintf("杭州测试%d服饰有限公司", h.next()), District: d,
		Industry: commonv1.Industry_INDUSTRY_APPAREL, MainProducts: "针织衫",
		Stage:    commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING,
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
func (h *harness) firm(tg target) string   { return pick(tg, h.firmA, h.firmB) }
func (h *harness) expert(tg target) string { return pick(tg, h.expertA, h.expertB) }

func expertMessage(n int64, capacity int32) *consultv1.Expert {
	return &consultv1.Expert{
		Name: fmt.Sprintf("测试专家%d", n), Organisation: "杭州跨境电商服务中心",
		Specialties: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_LOGISTICS},
		Stages:      []commonv1.CrossBorderStage{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING},
		Markets:     []string{"US"}, Online: true,
		Districts:      []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU},
		WeeklyCapacity: capacity, DefaultBufferMinutes: 10,
	}
}

func (h *harness) newExpert(t testing.TB, capacity int32) *consultv1.Expert {
	t.Helper()
	e, err := h.svc.App.CreateExpert(h.system, expertMessage(h.next(), capacity))
	if err != nil {
		t.Fatalf("fixture expert: %v", err)
	}
	return e
}

func (h *harness) setQuota(t testing.TB, period consultv1.QuotaPeriod, limit int32) {
	t.Helper()
	cur, err := h.svc.App.GetConsultSettings(h.system)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.App.UpdateConsultSettings(h.system, &consultv1.ConsultSettings{QuotaPeriod: period, FirmQuota: limit, Etag: cur.GetEtag()},
		[]string{"quota_period", "firm_quota"}); err != nil {
		t.Fatalf("settings: %v", err)
	}
}

// slotTime returns a start time unique to this harness, d from now: each
// call moves 70 minutes further out (or back, for d < 0), so fixture slots of
// one expert never overlap.
func (h *harness) slotTime(d time.Duration) time.Time {
	step := time.Duration(h.next()) * 100 * time.Minute
	if d < 0 {
		step = -step
	}
	return time.Now().Add(d + step).Truncate(time.Minute)
}

// newSlot publishes a one-hour online slot of expertID at start, as seen
// from a clock at clock.
func (h *harness) newSlot(t testing.TB, expertID string, start, clock time.Time) *consultv1.Slot {
	t.Helper()
	sl, err := h.svc.App.WithClock(func() time.Time { return clock }).CreateSlot(h.system, expertID, &consultv1.Slot{
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour)), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE,
		MeetingUrl: "https://meeting.example.com/r/1",
	})
	if err != nil {
		t.Fatalf("fixture slot: %v", err)
	}
	return sl
}

func consultationMessage(firmID string) *consultv1.Consultation {
	return &consultv1.Consultation{
		FirmId: firmID, Subject: "亚马逊美国站开店咨询",
		Needs:       []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING},
		Markets:     []string{"US"},
		Description: "计划今年开设亚马逊美国站，想了解入驻流程。",
	}
}

// Fixture states beyond the contract's: a scheduled session that has
// started (so it can be marked), and a held case with its case note.
const (
	stScheduledStarted = consultv1.ConsultationStatus(100)
	stHeldWithNote     = consultv1.ConsultationStatus(101)
)

// newCase creates a consultation of tg's firm with tg's expert and brings
// it to st. States with a session that has started replay the past: the
// request and the booking happen three hours before a slot that started two
// hours ago, marking it 30 minutes after its start.
func (h *harness) newCase(t testing.TB, tg target, st consultv1.ConsultationStatus) *consultv1.Consultation {
	t.Helper()
	start := h.slotTime(72 * time.Hour)
	clock := time.Now()
	if st != domain.Requested && st != domain.Assigned && st != domain.Scheduled && st != domain.Cancelled {
		start = h.slotTime(-2 * time.Hour)
		clock = start.Add(-3 * time.Hour)
	}
	a := h.svc.App.WithClock(func() time.Time { return clock })
	c, err := a.CreateConsultation(h.system, consultationMessage(h.firm(tg)))
	if err != nil {
		t.Fatalf("fixture consultation: %v", err)
	}
	must := func(out *consultv1.Consultation, err error) *consultv1.Consultation {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture consultation to %v: %v", st, err)
		}
		return out
	}
	switch st {
	case domain.Requested:
		return c
	case domain.Cancelled:
		return must(a.CancelConsultation(h.system, c.GetId(), "", "测试取消"))
	}
	c = must(a.AssignConsultation(h.system, c.GetId(), h.expert(tg), "", ""))
	if st == domain.Assigned {
		return c
	}
	sl := h.newSlot(t, h.expert(tg), start, clock)
	c = must(a.BookConsultation(h.system, c.GetId(), sl.GetId(), ""))
	if st == domain.Scheduled || st == stScheduledStarted {
		return c
	}
	afterAt := start.Add(30 * time.Minute)
	after := h.svc.App.WithClock(func() time.Time { return afterAt })
	if st == domain.NoShow {
		return must(after.MarkConsultationNoShow(h.system, c.GetId(), "", consultv1.Party_PARTY_FIRM, ""))
	}
	c = must(after.MarkConsultationHeld(h.system, c.GetId(), ""))
	if st == domain.Held {
		return c
	}
	note := &consultv1.CaseNote{Summary: "梳理了开店流程。", Advice: "先完成品牌备案。"}
	if st == domain.FollowUpDue {
		note.FollowUpTime = timestamppb.New(afterAt)
	}
	if _, err := after.CreateCaseNote(h.system, c.GetId(), note); err != nil {
		t.Fatalf("fixture note: %v", err)
	}
	switch st {
	case stHeldWithNote:
		return must(h.svc.App.GetConsultation(h.system, c.GetId()))
	case domain.FollowUpDue:
		if err := h.svc.App.Sweep(h.system); err != nil {
			t.Fatal(err)
		}
		return must(h.svc.App.GetConsultation(h.system, c.GetId()))
	case domain.Closed:
		return must(after.CloseConsultation(h.system, c.GetId(), "", "已完成开店指导"))
	}
	t.Fatalf("newCase: unsupported state %v", st)
	return nil
}

func (h *harness) mask(paths ...string) *fieldmaskpb.FieldMask {
	return &fieldmaskpb.FieldMask{Paths: paths}
}
