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
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/accesstest"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	catalogserver "github.com/qihang-hz/qihang/services/catalog/server"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
	"github.com/qihang-hz/qihang/services/match/indexsync"
	"github.com/qihang-hz/qihang/services/match/server"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
	profilesserver "github.com/qihang-hz/qihang/services/profiles/server"
)

func TestMain(m *testing.M) {
	code := meilitest.Main(m)
	storetest.Cleanup()
	os.Exit(code)
}

const testPassword = "Qihang-test-2025"

// The roles of the access matrix.
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

// engineCase opens a fresh engine for a test.
type engineCase struct {
	name string
	open func(t *testing.T) index.Engine
}

// engines are the two engines every sync and matching test runs on.
func engines() []engineCase {
	return []engineCase{
		{"bleve", func(t *testing.T) index.Engine {
			e, err := bleveindex.New(bleveindex.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = e.Close() })
			return e
		}},
		{"meilisearch", func(t *testing.T) index.Engine {
			url, key := meilitest.Start(t)
			e, err := meiliindex.New(meiliindex.Options{URL: url, Key: key, Prefix: meilitest.Prefix(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = e.Close() })
			return e
		}},
	}
}

type caller struct {
	role  string
	token string
}

// harness is one real gRPC server hosting profiles, catalog and match, each
// service on its own database, with the production interceptors; match
// follows the others' change feeds over a client connection to the same
// server, as the launcher wires it. Fixture objects are written through the
// apps as the system, like an association or officer would through the API.
type harness struct {
	profiles *profilesserver.Service
	catalog  *catalogserver.Service
	// profilesDB is the profiles service's database, for tests that
	// damage its change feed on purpose.
	profilesDB store.Database
	cur        atomic.Pointer[server.Service]
	engine     index.Engine
	conn       *grpc.ClientConn
	issuer     *auth.Issuer
	logger     *slog.Logger

	matchC  matchv1.MatchServiceClient
	searchC matchv1.SearchServiceClient

	system  context.Context
	callers map[string]*caller

	// XIAOSHAN (own) and XIHU (other): one association and one member
	// firm each.
	assocA, assocB string
	firmA, firmB   string
	serial         atomic.Int64

	stopSync func()
}

// syncOpts are fast sync settings for tests.
func syncOpts() indexsync.Options {
	return indexsync.Options{PollInterval: 20 * time.Millisecond, HoleWindow: 500 * time.Millisecond, ReconcileEvery: -1}
}

func newHarness(t *testing.T, engine index.Engine) *harness {
	t.Helper()
	ctx := t.Context()
	pub, priv, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(priv, time.Hour)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	profilesDB := storetest.NewDatabase(t)
	profiles, err := profilesserver.New(ctx, profilesDB, issuer, logger)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := catalogserver.New(ctx, storetest.NewDatabase(t), conn, logger)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{profiles: profiles, profilesDB: profilesDB, catalog: catalog, engine: engine, conn: conn, issuer: issuer, logger: logger}
	h.cur.Store(h.newMatch())
	srv, err := grpcserver.New(grpcserver.Options{
		Logger: logger,
		Authenticator: auth.NewAuthenticator(auth.NewVerifier(pub),
			append(append(profilesserver.PublicMethods(), catalogserver.PublicMethods()...), server.PublicMethods()...)...),
		ShutdownTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	profiles.Register(srv.GRPC())
	catalog.Register(srv.GRPC())
	// Match's servers delegate to whichever Service h.cur holds, so a
	// test can restart the indexer behind the same gRPC server.
	matchv1.RegisterMatchServiceServer(srv.GRPC(), &matchProxy{h: h})
	matchv1.RegisterSearchServiceServer(srv.GRPC(), &searchProxy{h: h})
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, lis) }()
	t.Cleanup(func() {
		if h.stopSync != nil {
			h.stopSync()
		}
		_ = conn.Close()
		stop()
		<-served
	})
	h.matchC, h.searchC = matchv1.NewMatchServiceClient(conn), matchv1.NewSearchServiceClient(conn)

	system := auth.Principal{AccountID: "system", Username: "system", Role: auth.RoleBureauAdmin}
	tok, _, err := issuer.Issue(system)
	if err != nil {
		t.Fatal(err)
	}
	h.system = metadata.NewIncomingContext(auth.WithPrincipal(context.Background(), system), metadata.Pairs("authorization", "Bearer "+tok))

	h.assocA = h.newAssociation(t, commonv1.District_DISTRICT_XIAOSHAN, commonv1.Industry_INDUSTRY_APPAREL)
	h.assocB = h.newAssociation(t, commonv1.District_DISTRICT_XIHU, commonv1.Industry_INDUSTRY_APPAREL)
	h.firmA = h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIAOSHAN, assoc: h.assocA})
	h.firmB = h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIHU, assoc: h.assocB})
	h.callers = map[string]*caller{roleAnonymous: {role: roleAnonymous}}
	for _, a := range []struct {
		role string
		acc  profilesdomain.Account
	}{
		{roleBureau, profilesdomain.Account{Username: "bureau", Role: auth.RoleBureauAdmin}},
		{roleOfficer, profilesdomain.Account{Username: "officer_xs", Role: auth.RoleDistrictOfficer, District: commonv1.District_DISTRICT_XIAOSHAN}},
		{roleAssoc, profilesdomain.Account{Username: "assoc_a", Role: auth.RoleAssociationAdmin, AssociationID: h.assocA}},
		{roleFirm, profilesdomain.Account{Username: "firm_a", Role: auth.RoleFirmUser, FirmID: h.firmA}},
		{roleExpert, profilesdomain.Account{Username: "expert_e1", Role: auth.RoleExpert, ExpertID: "e1"}},
	} {
		acc := a.acc
		acc.DisplayName = "测试" + acc.Username
		if _, err := profiles.App.EnsureAccount(h.system, &acc, testPassword); err != nil {
			t.Fatal(err)
		}
		resp, err := profilesv1.NewIdentityServiceClient(conn).Login(ctx, &profilesv1.LoginRequest{Username: acc.Username, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		h.callers[a.role] = &caller{role: a.role, token: resp.GetAccessToken()}
	}
	return h
}

func (h *harness) newMatch() *server.Service {
	return server.New(h.engine, server.Conns{Profiles: h.conn, Catalog: h.conn}, auth.NewServiceTokens(h.issuer, "match"),
		server.Options{Sync: syncOpts(), Logger: h.logger})
}

// startSync builds the indexes and follows the feeds until the test ends
// or stopSync is called.
func (h *harness) startSync(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	svc := h.svc()
	go func() { defer close(done); svc.Run(ctx) }()
	h.stopSync = func() { cancel(); <-done }
	wctx, wcancel := context.WithTimeout(t.Context(), time.Minute)
	defer wcancel()
	if err := svc.Syncer.WaitReady(wctx); err != nil {
		t.Fatalf("first index build: %v", err)
	}
}

// restartSync stops the indexer and starts a new one over the same engine.
func (h *harness) restartSync(t *testing.T) {
	t.Helper()
	h.stopSync()
	h.cur.Store(h.newMatch())
	h.startSync(t)
}

// svc is the match service running now.
func (h *harness) svc() *server.Service { return h.cur.Load() }

func (h *harness) ctx(t *testing.T, role string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	if c := h.callers[role]; c != nil && c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
	}
	return ctx
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

func (h *harness) newAssociation(t *testing.T, d commonv1.District, industries ...commonv1.Industry) string {
	t.Helper()
	v, err := h.profiles.App.CreateAssociation(h.system, &profilesdomain.Association{
		USCC: validUSCC(t, "51330100", h.next()), Name: fmt.Sprintf("杭州市%s测试行业协会%d", refdata.Label(d), h.next()),
		Type: profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION, District: d, Industries: industries,
		Contact:         profilesdomain.Contact{Name: "王丽", Title: "秘书长", Phone: "13800001234"},
		Services:        []profilesv1.AssociationServiceKind{profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LOGISTICS_LINKAGE},
		JoinedProgramme: true,
	})
	if err != nil {
		t.Fatalf("fixture association: %v", err)
	}
	return v.ID
}

// firmSpec describes a fixture firm; zero fields take apparel defaults.
type firmSpec struct {
	name      string
	district  commonv1.District
	industry  commonv1.Industry
	assoc     string
	products  string
	hs        []string
	stage     commonv1.CrossBorderStage
	markets   []string
	platforms []commonv1.SalesPlatform
	needs     []commonv1.NeedTag
	exportFen int64
}

func (h *harness) newFirm(t *testing.T, s firmSpec) string {
	t.Helper()
	f := h.firmFromSpec(t, s)
	v, err := h.profiles.App.CreateFirm(h.system, s.assoc, f)
	if err != nil {
		t.Fatalf("fixture firm: %v", err)
	}
	return v.Firm.ID
}

func (h *harness) firmFromSpec(t *testing.T, s firmSpec) *profilesdomain.Firm {
	t.Helper()
	n := h.next()
	if s.name == "" {
		s.name = fmt.Sprintf("杭州测试%d服饰有限公司", n)
	}
	if s.industry == 0 {
		s.industry = commonv1.Industry_INDUSTRY_APPAREL
	}
	if s.products == "" {
		s.products = "针织衫、羽绒服"
	}
	if s.stage == 0 {
		s.stage = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER
	}
	f := &profilesdomain.Firm{
		USCC: validUSCC(t, "91330100", n), Name: s.name, District: s.district, Industry: s.industry,
		MainProducts: s.products, HSCodes: s.hs, Stage: s.stage, TargetMarkets: s.markets, Platforms: s.platforms, Needs: s.needs,
		Contacts: []profilesdomain.Contact{{Name: "张伟", Phone: "13812345678"}},
	}
	if s.exportFen > 0 {
		f.AnnualExportValueFen = &s.exportFen
	}
	return f
}

// newPolicy creates and publishes a district-level policy of d (city-wide
// when d is 0).
func (h *harness) newPolicy(t *testing.T, title string, d commonv1.District, cat catalogv1.PolicyCategory, maxFen int64) *catalogv1.Policy {
	t.Helper()
	now := time.Now()
	p := &catalogv1.Policy{
		Title: title, Issuer: "杭州市商务局", Level: catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL,
		Categories: []catalogv1.PolicyCategory{cat}, Summary: "对开展跨境电商的企业给予支持，海外仓、物流费用按比例补助。",
		FullText: "第一条 为鼓励企业开展跨境电商，制定本办法。",
		Benefit:  &catalogv1.Benefit{Description: "按实际费用的50%补助", MaxAmountFen: &maxFen},
		Validity: &commonv1.TimeWindow{StartTime: timestamppb.New(now.AddDate(-1, 0, 0)), EndTime: timestamppb.New(now.AddDate(1, 0, 0))},
		Criteria: []*catalogv1.Criterion{{Description: "已实现跨境电商出单", Expression: "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER"}},
	}
	if d != 0 {
		p.Level, p.Districts = catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT, []commonv1.District{d}
	}
	a := h.catalog.App
	created, err := a.CreatePolicy(h.system, p, false)
	if err != nil {
		t.Fatalf("fixture policy: %v", err)
	}
	pub, err := a.PublishPolicy(h.system, created.GetId(), created.GetEtag(), "测试：发布")
	if err != nil {
		t.Fatalf("fixture policy: publish: %v", err)
	}
	return pub
}

func (h *harness) newBelt(t *testing.T, brand string, d commonv1.District, ind commonv1.Industry, chapters []string, assoc string) *catalogv1.IndustryBelt {
	t.Helper()
	b, err := h.catalog.App.CreateIndustryBelt(h.system, &catalogv1.IndustryBelt{
		District: d, Industry: ind, BrandName: brand, Description: "以羽绒服装为主的产业集群。",
		KeyProducts: []string{"羽绒服", "羽绒被"}, HsChapters: chapters, TargetMarkets: []string{"US", "DE"},
		AnchorPlatforms: []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_AMAZON},
		AssociationIds:  nonEmpty(assoc), Status: catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED,
	})
	if err != nil {
		t.Fatalf("fixture belt: %v", err)
	}
	return b
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// eventually polls cond every 10ms until it holds or the limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// matchProxy and searchProxy forward to the harness's current match
// service, which a test may replace (restartSync).
type matchProxy struct {
	matchv1.UnimplementedMatchServiceServer
	h *harness
}

func (p *matchProxy) ListFirmPolicyMatches(ctx context.Context, r *matchv1.ListFirmPolicyMatchesRequest) (*matchv1.ListFirmPolicyMatchesResponse, error) {
	return p.h.svc().App.ListFirmPolicyMatches(ctx, r)
}

func (p *matchProxy) ListFirmAssociationMatches(ctx context.Context, r *matchv1.ListFirmAssociationMatchesRequest) (*matchv1.ListFirmAssociationMatchesResponse, error) {
	return p.h.svc().App.ListFirmAssociationMatches(ctx, r)
}

func (p *matchProxy) ListFirmIndustryBeltMatches(ctx context.Context, r *matchv1.ListFirmIndustryBeltMatchesRequest) (*matchv1.ListFirmIndustryBeltMatchesResponse, error) {
	return p.h.svc().App.ListFirmIndustryBeltMatches(ctx, r)
}

func (p *matchProxy) ListFirmExpertMatches(ctx context.Context, r *matchv1.ListFirmExpertMatchesRequest) (*matchv1.ListFirmExpertMatchesResponse, error) {
	return p.h.svc().App.ListFirmExpertMatches(ctx, r)
}

func (p *matchProxy) ListAssociationProspects(ctx context.Context, r *matchv1.ListAssociationProspectsRequest) (*matchv1.ListAssociationProspectsResponse, error) {
	return p.h.svc().App.ListAssociationProspects(ctx, r)
}

type searchProxy struct {
	matchv1.UnimplementedSearchServiceServer
	h *harness
}

func (p *searchProxy) Search(ctx context.Context, r *matchv1.SearchRequest) (*matchv1.SearchResponse, error) {
	return p.h.svc().App.Search(ctx, r)
}

func (p *searchProxy) ListIndexes(ctx context.Context, r *matchv1.ListIndexesRequest) (*matchv1.ListIndexesResponse, error) {
	return p.h.svc().App.ListIndexes(ctx, r)
}

func (p *searchProxy) RebuildIndex(ctx context.Context, r *matchv1.RebuildIndexRequest) (*matchv1.RebuildIndexResponse, error) {
	return p.h.svc().App.RebuildIndex(ctx, r)
}

func (p *searchProxy) ReindexDocument(ctx context.Context, r *matchv1.ReindexDocumentRequest) (*matchv1.ReindexDocumentResponse, error) {
	return p.h.svc().App.ReindexDocument(ctx, r)
}

// restartSyncAfterStop starts a fresh indexer after stopSync.
func (h *harness) restartSyncAfterStop(t *testing.T) {
	t.Helper()
	h.cur.Store(h.newMatch())
	h.startSync(t)
}

func (p *matchProxy) ListEventInvitees(ctx context.Context, r *matchv1.ListEventInviteesRequest) (*matchv1.ListEventInviteesResponse, error) {
	return p.h.svc().App.ListEventInvitees(ctx, r)
}
