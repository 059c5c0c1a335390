package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qihang-hz/qihang/internal/accesstest"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/catalog/server"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
	profilesserver "github.com/qihang-hz/qihang/services/profiles/server"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// The matrix vocabulary is shared with the other services' matrices.
const (
	roleAnonymous = accesstest.RoleAnonymous
	roleBureau    = accesstest.RoleBureau
	roleOfficer   = accesstest.RoleOfficer
	roleAssoc     = accesstest.RoleAssoc
	roleFirm      = accesstest.RoleFirm
	roleExpert    = accesstest.RoleExpert
)

var matrixRoles = accesstest.Roles

type target = accesstest.Target

const (
	own   = accesstest.Own
	other = accesstest.Other
)

func pick[T any](tg target, ifOwn, ifOther T) T { return accesstest.Pick(tg, ifOwn, ifOther) }

var (
	parseWant = accesstest.ParseWant
	shortName = accesstest.ShortName
)

// contractMethods lists every RPC of the contract this matrix covers.
func contractMethods() []string {
	return accesstest.ContractMethods(catalogv1.File_qihang_catalog_v1_catalog_proto, catalogv1.File_qihang_catalog_v1_sync_proto)
}

const testPassword = "Qihang-test-2025"

// Short names of the statuses the fixture uses.
const (
	draft     = catalogv1.PolicyStatus_POLICY_STATUS_DRAFT
	published = catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED
	withdrawn = catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN
	expired   = catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED

	beltDraft     = catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_DRAFT
	beltPublished = catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED
	beltArchived  = catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_ARCHIVED
)

// stageCriterion passes for the fixture firms (stage FIRST_ORDER).
const stageCriterion = "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER"

// caller is one signed-in account of the fixture (or the anonymous caller).
type caller struct {
	role     string
	username string // empty for anonymous
	token    string // empty for anonymous
}

// harness is one real gRPC server hosting the profiles and the catalog
// service, each on a fresh database, with the production interceptors; the
// catalog reads firms and associations from the profiles service through a
// client connection to that same server, as deploy/local/launcher wires it.
// The access fixture is loaded through the apps as a synthetic bureau
// principal; the callers' tokens come from the real Login RPC.
type harness struct {
	profilesSvc *profilesserver.Service
	catalogSvc  *server.Service
	grpc        *grpc.Server
	catalog     catalogv1.CatalogServiceClient
	sync        catalogv1.CatalogSyncServiceClient
	identity    profilesv1.IdentityServiceClient
	// serviceToken is a match-service token for the sync RPCs.
	serviceToken string
	// system is the synthetic bureau principal the fixture is written as,
	// with incoming metadata carrying a token for it (the catalog forwards
	// it to the profiles service when it checks belt associations).
	system context.Context

	assocA, assocB string
	firmA, firmB   string
	callers        map[string]*caller

	// The shared, read-only fixture: one policy per status and one belt
	// per status, in XIAOSHAN (own) and XIHU (other). Cells that change
	// objects make fresh ones.
	policies map[catalogv1.PolicyStatus][2]*catalogv1.Policy
	belts    map[catalogv1.IndustryBeltStatus][2]*catalogv1.IndustryBelt

	serial atomic.Int64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	profilesDB, catalogDB := storetest.NewDatabase(t), storetest.NewDatabase(t)
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
	catalog, err := server.New(ctx, catalogDB, conn, logger)
	if err != nil {
		lis.Close()
		t.Fatalf("catalog server.New: %v", err)
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
	catalog.Register(srv.GRPC())
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
		profilesSvc: profiles, catalogSvc: catalog, grpc: srv.GRPC(),
		catalog:  catalogv1.NewCatalogServiceClient(conn),
		sync:     catalogv1.NewCatalogSyncServiceClient(conn),
		identity: profilesv1.NewIdentityServiceClient(conn),
		system: metadata.NewIncomingContext(auth.WithPrincipal(context.Background(), system),
			metadata.Pairs("authorization", "Bearer "+tok)),
		policies: map[catalogv1.PolicyStatus][2]*catalogv1.Policy{},
		belts:    map[catalogv1.IndustryBeltStatus][2]*catalogv1.IndustryBelt{},
	}
	if h.serviceToken, err = auth.NewServiceTokens(issuer, "match").Token(); err != nil {
		t.Fatal(err)
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
		created, err := profiles.App.EnsureAccount(h.system, &acc, testPassword)
		if err != nil || !created {
			t.Fatalf("fixture account %s: created=%v err=%v", acc.Username, created, err)
		}
		h.callers[a.role] = &caller{role: a.role, username: acc.Username, token: h.login(t, acc.Username)}
	}

	for _, st := range []catalogv1.PolicyStatus{draft, published, withdrawn} {
		h.policies[st] = [2]*catalogv1.Policy{h.newPolicy(t, own, st), h.newPolicy(t, other, st)}
	}
	for _, st := range []catalogv1.IndustryBeltStatus{beltDraft, beltPublished, beltArchived} {
		h.belts[st] = [2]*catalogv1.IndustryBelt{h.newBelt(t, own, st), h.newBelt(t, other, st)}
	}
	return h
}

// ctx returns a call context carrying c's token.
func (h *harness) ctx(t *testing.T, c *caller) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	if c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
	}
	return ctx
}

// login signs in through the Login RPC and returns the token.
func (h *harness) login(t *testing.T, username string) string {
	t.Helper()
	resp, err := h.identity.Login(h.ctx(t, &caller{}), &profilesv1.LoginRequest{Username: username, Password: testPassword})
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return resp.GetAccessToken()
}

func (h *harness) next() int64 { return h.serial.Add(1) }

// validUSCC makes a valid code from a registration prefix and a serial.
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
		Industries:      []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL},
		Contact:         profilesdomain.Contact{Name: "王丽", Title: "秘书长", Phone: "13800001234"},
		JoinedProgramme: true,
	})
	if err != nil {
		t.Fatalf("fixture association: %v", err)
	}
	return v.ID
}

// newFirm registers an apparel firm at stage FIRST_ORDER as a member of
// assoc and returns its id.
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

// district, association and firm return the fixture object of tg.
func district(tg target) commonv1.District {
	return pick(tg, commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU)
}
func (h *harness) association(tg target) string { return pick(tg, h.assocA, h.assocB) }
func (h *harness) firm(tg target) string        { return pick(tg, h.firmA, h.firmB) }

// policyMessage is a complete, publishable district-level policy of tg's
// district.
func (h *harness) policyMessage(tg target) *catalogv1.Policy {
	d := district(tg)
	now := time.Now()
	return &catalogv1.Policy{
		Title:      fmt.Sprintf("%s跨境电商矩阵测试政策%d", refdata.Label(d), h.next()),
		Issuer:     refdata.Label(d) + "人民政府",
		Level:      catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT,
		Districts:  []commonv1.District{d},
		Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_FUNDING},
		Summary:    "已出单的企业可申请一次性奖励。",
		FullText:   "第一条 为鼓励企业开展跨境电商，制定本办法。",
		Validity: &commonv1.TimeWindow{
			StartTime: timestamppb.New(now.AddDate(-1, 0, 0)), EndTime: timestamppb.New(now.AddDate(1, 0, 0)),
		},
		Criteria: []*catalogv1.Criterion{{Description: "已实现跨境电商出单", Expression: stageCriterion}},
	}
}

// newPolicy creates a policy of tg's district through the app as the system
// and brings it to st (DRAFT, PUBLISHED, WITHDRAWN or EXPIRED).
func (h *harness) newPolicy(t *testing.T, tg target, st catalogv1.PolicyStatus) *catalogv1.Policy {
	t.Helper()
	a := h.catalogSvc.App
	p, err := a.CreatePolicy(h.system, h.policyMessage(tg), false)
	if err != nil {
		t.Fatalf("fixture policy: create: %v", err)
	}
	if st != draft {
		if p, err = a.PublishPolicy(h.system, p.GetId(), p.GetEtag(), "矩阵测试：发布"); err != nil {
			t.Fatalf("fixture policy: publish: %v", err)
		}
	}
	switch st {
	case withdrawn:
		if p, err = a.WithdrawPolicy(h.system, p.GetId(), p.GetEtag(), "矩阵测试：撤回"); err != nil {
			t.Fatalf("fixture policy: withdraw: %v", err)
		}
	case expired:
		now := time.Now()
		patch := &catalogv1.Policy{Id: p.GetId(), Etag: p.GetEtag(), Validity: &commonv1.TimeWindow{
			StartTime: timestamppb.New(now.AddDate(-2, 0, 0)), EndTime: timestamppb.New(now.AddDate(0, 0, -1)),
		}}
		if p, err = a.UpdatePolicy(h.system, patch, []string{"validity"}, "矩阵测试：实施期限已结束", false); err != nil {
			t.Fatalf("fixture policy: end validity: %v", err)
		}
	}
	return p
}

// policyEtag reads a policy's current etag as the system.
func (h *harness) policyEtag(t *testing.T, id string) string {
	t.Helper()
	p, err := h.catalogSvc.App.GetPolicy(h.system, id)
	if err != nil {
		t.Fatalf("read policy %s as system: %v", id, err)
	}
	return p.GetEtag()
}

// newBelt creates an apparel belt of tg's district, carried by tg's
// association, with status st.
func (h *harness) newBelt(t *testing.T, tg target, st catalogv1.IndustryBeltStatus) *catalogv1.IndustryBelt {
	t.Helper()
	b, err := h.catalogSvc.App.CreateIndustryBelt(h.system, h.beltMessage(tg, st))
	if err != nil {
		t.Fatalf("fixture belt: %v", err)
	}
	return b
}

func (h *harness) beltMessage(tg target, st catalogv1.IndustryBeltStatus) *catalogv1.IndustryBelt {
	return &catalogv1.IndustryBelt{
		District: district(tg), Industry: commonv1.Industry_INDUSTRY_APPAREL,
		BrandName:      fmt.Sprintf("%s矩阵服装%d", refdata.Label(district(tg)), h.next()),
		Description:    "以针织服装为主的产业集群。",
		KeyProducts:    []string{"针织衫", "羊毛衫"},
		HsChapters:     []string{"61", "62"},
		TargetMarkets:  []string{"US", "DE"},
		AssociationIds: []string{h.association(tg)},
		Status:         st,
	}
}

// beltEtag reads a belt's current etag as the system.
func (h *harness) beltEtag(t *testing.T, id string) string {
	t.Helper()
	b, err := h.catalogSvc.App.GetIndustryBelt(h.system, id)
	if err != nil {
		t.Fatalf("read belt %s as system: %v", id, err)
	}
	return b.GetEtag()
}

// mayEditPolicy is the contract's editor rule: a bureau admin any policy, the
// XIAOSHAN officer the district-level policies whose districts are exactly
// XIAOSHAN.
func mayEditPolicy(role string, p *catalogv1.Policy) bool {
	switch role {
	case roleBureau:
		return true
	case roleOfficer:
		return p.GetLevel() == catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT &&
			slices.Equal(p.GetDistricts(), []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN})
	}
	return false
}

// mayEditBelt: a bureau admin any belt, the XIAOSHAN officer XIAOSHAN's.
func mayEditBelt(role string, b *catalogv1.IndustryBelt) bool {
	switch role {
	case roleBureau:
		return true
	case roleOfficer:
		return b.GetDistrict() == commonv1.District_DISTRICT_XIAOSHAN
	}
	return false
}

// listPolicies returns every page of ListPolicies for req.
func (h *harness) listPolicies(t *testing.T, c *caller, req *catalogv1.ListPoliciesRequest) ([]*catalogv1.Policy, error) {
	t.Helper()
	req.PageSize = 100
	var out []*catalogv1.Policy
	for range 100 {
		resp, err := h.catalog.ListPolicies(h.ctx(t, c), req)
		if err != nil {
			return nil, err
		}
		out = append(out, resp.GetPolicies()...)
		if resp.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
	t.Fatal("ListPolicies: paging did not end")
	return nil, nil
}

// listBelts returns every page of ListIndustryBelts for req.
func (h *harness) listBelts(t *testing.T, c *caller, req *catalogv1.ListIndustryBeltsRequest) ([]*catalogv1.IndustryBelt, error) {
	t.Helper()
	req.PageSize = 100
	var out []*catalogv1.IndustryBelt
	for range 100 {
		resp, err := h.catalog.ListIndustryBelts(h.ctx(t, c), req)
		if err != nil {
			return nil, err
		}
		out = append(out, resp.GetIndustryBelts()...)
		if resp.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
	t.Fatal("ListIndustryBelts: paging did not end")
	return nil, nil
}

// checkPolicyList fails t for every draft in list that role may not edit,
// and checks that the fixture policies of tg appear as they should: the
// published and withdrawn ones for everyone (unless onlyDrafts), the draft
// exactly for its editors.
func (h *harness) checkPolicyList(t *testing.T, role string, tg target, list []*catalogv1.Policy, onlyDrafts bool) {
	t.Helper()
	got := map[string]bool{}
	for _, p := range list {
		got[p.GetId()] = true
		if p.GetStatus() == draft && !mayEditPolicy(role, p) {
			t.Errorf("ListPolicies as %s leaks draft %s %q (level %v, districts %v)", role, p.GetId(), p.GetTitle(), p.GetLevel(), p.GetDistricts())
		}
		if p.GetFullText() != "" {
			t.Errorf("ListPolicies returns full_text of %s", p.GetId())
		}
		if onlyDrafts && p.GetStatus() != draft {
			t.Errorf("ListPolicies status=DRAFT as %s returns %s with status %v", role, p.GetId(), p.GetStatus())
		}
	}
	d := h.policies[draft][tg]
	if got[d.GetId()] != mayEditPolicy(role, d) {
		t.Errorf("ListPolicies as %s: fixture draft of %v listed = %v, want %v", role, district(tg), got[d.GetId()], mayEditPolicy(role, d))
	}
	if onlyDrafts {
		return
	}
	for _, st := range []catalogv1.PolicyStatus{published, withdrawn} {
		if p := h.policies[st][tg]; !got[p.GetId()] {
			t.Errorf("ListPolicies as %s lacks the %v fixture policy of %v", role, st, district(tg))
		}
	}
}

// checkBeltList is checkPolicyList for belts: no unpublished belt the caller
// may not edit; the fixture's published belt of tg for everyone, its draft
// and archived belts exactly for their editors.
func (h *harness) checkBeltList(t *testing.T, role string, tg target, list []*catalogv1.IndustryBelt) {
	t.Helper()
	got := map[string]bool{}
	for _, b := range list {
		got[b.GetId()] = true
		if b.GetStatus() != beltPublished && !mayEditBelt(role, b) {
			t.Errorf("ListIndustryBelts as %s leaks %v belt %s %q (%v)", role, b.GetStatus(), b.GetId(), b.GetBrandName(), b.GetDistrict())
		}
		if b.GetDistrict() != district(tg) {
			t.Errorf("ListIndustryBelts district=%v returns a belt of %v", district(tg), b.GetDistrict())
		}
	}
	if b := h.belts[beltPublished][tg]; !got[b.GetId()] {
		t.Errorf("ListIndustryBelts as %s lacks the published fixture belt of %v", role, district(tg))
	}
	for _, st := range []catalogv1.IndustryBeltStatus{beltDraft, beltArchived} {
		b := h.belts[st][tg]
		if got[b.GetId()] != mayEditBelt(role, b) {
			t.Errorf("ListIndustryBelts as %s: %v fixture belt of %v listed = %v, want %v", role, st, district(tg), got[b.GetId()], mayEditBelt(role, b))
		}
	}
}

// inlineFirm is an unsaved firm profile for quick checks: an apparel firm of
// tg's district that has shipped its first order.
func inlineFirm(tg target) *profilesv1.Firm {
	return &profilesv1.Firm{
		Name: "快速自测企业", District: district(tg), Industry: commonv1.Industry_INDUSTRY_APPAREL,
		Stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
	}
}
