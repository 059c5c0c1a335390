package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/csv"
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

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/domain"
	"github.com/qihang-hz/qihang/services/profiles/server"
	"github.com/qihang-hz/qihang/services/profiles/sheets"
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
	return accesstest.ContractMethods(profilesv1.File_qihang_profiles_v1_profiles_proto, profilesv1.File_qihang_profiles_v1_identity_proto,
		profilesv1.File_qihang_profiles_v1_sync_proto)
}

const (
	testPassword  = "Qihang-test-2025"
	wrongPassword = "not-the-password-1"
)

// caller is one signed-in account of the fixture (or the anonymous caller).
type caller struct {
	role     string
	username string // empty for anonymous
	token    string // empty for anonymous
}

// harness is a profiles service on a fresh database behind a real gRPC
// server with the production interceptors, reached through a real client
// connection, with the access fixture loaded.
type harness struct {
	svc      *server.Service
	grpc     *grpc.Server
	profiles profilesv1.ProfilesServiceClient
	identity profilesv1.IdentityServiceClient
	sync     profilesv1.ProfilesSyncServiceClient
	signer   ed25519.PrivateKey
	// system is the synthetic bureau principal the fixture is written as.
	system context.Context

	assocA, assocB, assocC string
	firmA, firmB           string
	callers                map[string]*caller
	// firmBUser signs in as the user of fb: the "other" credentials of
	// Login.
	firmBUser string

	serial atomic.Int64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	db := storetest.NewDatabase(t)
	pub, priv, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	svc, err := server.New(ctx, db, auth.NewIssuer(priv, time.Hour), logger)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          logger,
		Authenticator:   auth.NewAuthenticator(auth.NewVerifier(pub), server.PublicMethods()...),
		ShutdownTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatalf("grpcserver.New: %v", err)
	}
	svc.Register(srv.GRPC())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	h := &harness{
		svc: svc, grpc: srv.GRPC(), signer: priv,
		profiles: profilesv1.NewProfilesServiceClient(conn),
		identity: profilesv1.NewIdentityServiceClient(conn),
		sync:     profilesv1.NewProfilesSyncServiceClient(conn),
		system: auth.WithPrincipal(context.Background(), auth.Principal{
			AccountID: "system", Username: "system", Role: auth.RoleBureauAdmin,
		}),
	}
	h.assocA = h.newAssociation(t, commonv1.District_DISTRICT_XIAOSHAN)
	h.assocB = h.newAssociation(t, commonv1.District_DISTRICT_XIHU)
	h.assocC = h.newAssociation(t, commonv1.District_DISTRICT_BINJIANG)
	h.firmA = h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA).ID
	h.firmB = h.newFirm(t, commonv1.District_DISTRICT_XIHU, h.assocB).ID

	accounts := []struct {
		role string
		acc  domain.Account
	}{
		{roleBureau, domain.Account{Username: "bureau", Role: auth.RoleBureauAdmin}},
		{roleOfficer, domain.Account{Username: "officer_xs", Role: auth.RoleDistrictOfficer, District: commonv1.District_DISTRICT_XIAOSHAN}},
		{roleAssoc, domain.Account{Username: "assoc_a", Role: auth.RoleAssociationAdmin, AssociationID: h.assocA}},
		{roleFirm, domain.Account{Username: "firm_a", Role: auth.RoleFirmUser, FirmID: h.firmA}},
		{roleExpert, domain.Account{Username: "expert_e1", Role: auth.RoleExpert, ExpertID: "e1"}},
	}
	h.callers = map[string]*caller{roleAnonymous: {role: roleAnonymous}}
	for _, a := range accounts {
		acc := a.acc
		h.ensureAccount(t, &acc)
		h.callers[a.role] = &caller{role: a.role, username: acc.Username, token: h.login(t, acc.Username)}
	}
	h.firmBUser = "firm_b"
	h.ensureAccount(t, &domain.Account{Username: h.firmBUser, Role: auth.RoleFirmUser, FirmID: h.firmB})
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

func (h *harness) bureau(t *testing.T) context.Context { return h.ctx(t, h.callers[roleBureau]) }

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

func (h *harness) associationUSCC(t *testing.T) string { return validUSCC(t, "51330100", h.next()) }
func (h *harness) firmUSCC(t *testing.T) string        { return validUSCC(t, "91330100", h.next()) }

// newAssociation registers an association through the app layer as the
// system.
func (h *harness) newAssociation(t *testing.T, d commonv1.District) string {
	t.Helper()
	v, err := h.svc.App.CreateAssociation(h.system, &domain.Association{
		USCC: h.associationUSCC(t), Name: fmt.Sprintf("杭州市%s测试行业协会%d", refdata.Label(d), h.next()),
		Type: profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION, District: d,
		Industries:      []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL},
		Contact:         domain.Contact{Name: "王丽", Title: "秘书长", Phone: "13800001234"},
		JoinedProgramme: true,
	})
	if err != nil {
		t.Fatalf("fixture association: %v", err)
	}
	return v.ID
}

// newFirm registers a firm through the app layer as the system, as a member
// of assoc ("" for none).
func (h *harness) newFirm(t *testing.T, d commonv1.District, assoc string) *domain.Firm {
	t.Helper()
	n := h.next()
	v, err := h.svc.App.CreateFirm(h.system, assoc, &domain.Firm{
		USCC: h.firmUSCC(t), Name: fmt.Sprintf("杭州测试%d贸易有限公司", n), District: d,
		Industry: commonv1.Industry_INDUSTRY_APPAREL, MainProducts: "针织衫",
		Stage:    commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		Contacts: []domain.Contact{{Name: "张伟", Phone: "13812345678"}},
	})
	if err != nil {
		t.Fatalf("fixture firm: %v", err)
	}
	return v.Firm
}

// ensureAccount creates an account through the app layer with testPassword;
// it sets acc.ID.
func (h *harness) ensureAccount(t *testing.T, acc *domain.Account) {
	t.Helper()
	if acc.DisplayName == "" {
		acc.DisplayName = "测试" + acc.Username
	}
	created, err := h.svc.App.EnsureAccount(h.system, acc, testPassword)
	if err != nil || !created {
		t.Fatalf("fixture account %s: created=%v err=%v", acc.Username, created, err)
	}
}

// freshFirmUser creates a firm-user account for firm and returns its id.
func (h *harness) freshFirmUser(t *testing.T, firm string) string {
	t.Helper()
	acc := &domain.Account{Username: fmt.Sprintf("user%d", h.next()), Role: auth.RoleFirmUser, FirmID: firm}
	h.ensureAccount(t, acc)
	return acc.ID
}

// association, firm and district return the fixture object of tg.
func (h *harness) association(tg target) string { return pick(tg, h.assocA, h.assocB) }
func (h *harness) firm(tg target) string        { return pick(tg, h.firmA, h.firmB) }
func district(tg target) commonv1.District {
	return pick(tg, commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU)
}

// associationEtag and firmEtag read the current etag as the bureau admin.
func (h *harness) associationEtag(t *testing.T, id string) string {
	t.Helper()
	resp, err := h.profiles.GetAssociation(h.bureau(t), &profilesv1.GetAssociationRequest{Id: id})
	if err != nil {
		t.Fatalf("read association %s as bureau: %v", id, err)
	}
	return resp.GetAssociation().GetEtag()
}

func (h *harness) firmEtag(t *testing.T, id string) string {
	t.Helper()
	resp, err := h.profiles.GetFirm(h.bureau(t), &profilesv1.GetFirmRequest{Id: id})
	if err != nil {
		t.Fatalf("read firm %s as bureau: %v", id, err)
	}
	return resp.GetFirm().GetEtag()
}

// allFirms returns every live firm as the bureau sees it, by id.
func (h *harness) allFirms(t *testing.T) map[string]*profilesv1.Firm {
	t.Helper()
	out := map[string]*profilesv1.Firm{}
	req := &profilesv1.ListFirmsRequest{PageSize: 100}
	for range 1000 {
		resp, err := h.profiles.ListFirms(h.bureau(t), req)
		if err != nil {
			t.Fatalf("list firms as bureau: %v", err)
		}
		for _, f := range resp.GetFirms() {
			out[f.GetId()] = f
		}
		if resp.GetNextPageToken() == "" {
			return out
		}
		req.PageToken = resp.GetNextPageToken()
	}
	t.Fatal("list firms as bureau: paging did not end")
	return nil
}

// mayRead reports whether role may read f (as the bureau sees it): bureau
// any firm, the officer XIAOSHAN's, the association admin A's members, the
// firm user fa only.
func (h *harness) mayRead(role string, f *profilesv1.Firm) bool {
	switch role {
	case roleBureau:
		return true
	case roleOfficer:
		return f.GetDistrict() == commonv1.District_DISTRICT_XIAOSHAN
	case roleAssoc:
		return slices.ContainsFunc(f.GetMemberships(), func(m *profilesv1.Membership) bool {
			return m.GetAssociationId() == h.assocA
		})
	case roleFirm:
		return f.GetId() == h.firmA
	}
	return false
}

// checkReadable fails t for every firm id the caller of role may not read.
func (h *harness) checkReadable(t *testing.T, role, what string, ids []string) {
	t.Helper()
	all := h.allFirms(t)
	for _, id := range ids {
		f, ok := all[id]
		switch {
		case !ok:
			t.Errorf("%s as %s returned firm %s, which the bureau cannot see", what, role, id)
		case !h.mayRead(role, f):
			t.Errorf("%s as %s leaked firm %s (%s, district %v, memberships %v)", what, role, id, f.GetName(), f.GetDistrict(), f.GetMemberships())
		}
	}
}

// importCSV builds an import file with the template's required columns and
// one row per firm USCC, all in XIAOSHAN.
func importCSV(t *testing.T, codes ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rows := [][]string{{sheets.ColUSCC, sheets.ColName, sheets.ColDistrict, sheets.ColIndustry}}
	for i, code := range codes {
		rows = append(rows, []string{
			code, fmt.Sprintf("杭州导入测试%d有限公司", i+1),
			refdata.Label(commonv1.District_DISTRICT_XIAOSHAN), refdata.Label(commonv1.Industry_INDUSTRY_APPAREL),
		})
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
