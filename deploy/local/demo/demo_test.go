package demo

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
	"github.com/qihang-hz/qihang/services/profiles/server"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const password = "qihang-demo"

func TestPlanIsDeterministic(t *testing.T) {
	summarize := func(pl *plan) []string {
		var out []string
		for _, a := range pl.assocs {
			out = append(out, a.a.USCC+" "+a.a.Name)
		}
		for _, f := range pl.firms {
			out = append(out, f.f.USCC+" "+f.f.Name+" "+f.f.MainProducts+" "+strings.Join(f.f.HSCodes, ","))
		}
		return out
	}
	if diff := cmp.Diff(summarize(newPlan()), summarize(newPlan())); diff != "" {
		t.Errorf("two plans differ (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(Accounts(), Accounts()); diff != "" {
		t.Errorf("two account lists differ (-first +second):\n%s", diff)
	}
}

func TestPlanIsValidAndPlausible(t *testing.T) {
	pl := newPlan()
	codes, names := map[string]bool{}, map[string]bool{}
	checkCode := func(what, code string) {
		t.Helper()
		if err := uscc.Validate(code); err != nil {
			t.Errorf("%s: USCC %s: %v", what, code, err)
		}
		if codes[code] {
			t.Errorf("%s: USCC %s used twice", what, code)
		}
		codes[code] = true
		if gb11714Valid(code[8:17]) {
			t.Errorf("%s: organisation code %s has a correct GB 11714 check digit; demo codes must not", what, code[8:17])
		}
	}

	districts := map[commonv1.District]bool{}
	joined := 0
	for _, pa := range pl.assocs {
		a := pa.a.Clone()
		domain.NormalizeAssociation(a)
		if err := domain.ValidateAssociation(a).Err(); err != nil {
			t.Errorf("association %s: %v", a.Name, err)
		}
		checkCode(a.Name, a.USCC)
		if !strings.HasPrefix(a.USCC, "51") && !strings.HasPrefix(a.USCC, "52") {
			t.Errorf("association %s: USCC %s is not a social organisation's", a.Name, a.USCC)
		}
		if !a.Sample {
			t.Errorf("association %s is not marked sample", a.Name)
		}
		districts[a.District] = true
		if a.JoinedProgramme {
			joined++
			if a.ProgrammeJoinTime.Year() < 2025 || a.ProgrammeJoinTime.Year() > 2026 {
				t.Errorf("association %s joined at %v, want 2025–2026", a.Name, a.ProgrammeJoinTime)
			}
		}
	}
	if len(pl.assocs) < 40 {
		t.Errorf("%d associations, want at least 40", len(pl.assocs))
	}
	if len(districts) != 13 {
		t.Errorf("associations cover %d districts, want 13", len(districts))
	}
	if share := float64(joined) / float64(len(pl.assocs)); share < 0.5 || share > 0.85 {
		t.Errorf("%d of %d associations joined the programme, want about two thirds", joined, len(pl.assocs))
	}

	seeds := map[string]assocSeed{}
	for _, s := range assocSeeds {
		seeds[s.key] = s
	}
	for _, pf := range pl.firms {
		f := pf.f.Clone()
		domain.NormalizeFirm(f)
		if err := domain.ValidateFirm(f).Err(); err != nil {
			t.Errorf("firm %s: %v", f.Name, err)
		}
		checkCode(f.Name, f.USCC)
		if !strings.HasPrefix(f.USCC, "91330") {
			t.Errorf("firm %s: USCC %s does not start with 91330", f.Name, f.USCC)
		}
		if names[f.Name] {
			t.Errorf("firm name %s used twice", f.Name)
		}
		names[f.Name] = true
		s := seeds[pf.assocKey]
		if s.firmDistricts == nil && f.District != s.d {
			t.Errorf("firm %s sits in %v, its association %s in %v", f.Name, f.District, s.name, s.d)
		}
		for _, c := range f.Contacts {
			if !strings.HasPrefix(c.Phone, "1380000") {
				t.Errorf("firm %s: contact phone %s is not in the demo range", f.Name, c.Phone)
			}
		}
	}
	if len(pl.firms) < 300 {
		t.Errorf("%d firms, want at least 300", len(pl.firms))
	}
	if len(pl.extra) != secondMemberships {
		t.Errorf("%d second memberships, want %d", len(pl.extra), secondMemberships)
	}
}

// gb11714Valid reports whether a nine-character organisation code carries
// its correct GB 11714 check character.
func gb11714Valid(code string) bool {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		c := code[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * weights[i]
	}
	want := byte('0')
	switch c := 11 - sum%11; c {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + c)
	}
	return code[8] == want
}

func newService(t *testing.T) *app.Service {
	t.Helper()
	ctx := context.Background()
	db := storetest.NewDatabase(t)
	_, key, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := server.New(ctx, db, auth.NewIssuer(key, time.Hour), logger)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	return svc.App
}

// snapshot is what a second Load must not change.
type snapshot struct {
	Associations int
	Firms        int
	Districts    int
	AllSample    bool
	NewestAudit  string
}

func takeSnapshot(t *testing.T, ctx context.Context, svc *app.Service) snapshot {
	t.Helper()
	var s snapshot
	s.AllSample = true
	districts := map[commonv1.District]bool{}
	for token := "start"; token != ""; {
		if token == "start" {
			token = ""
		}
		list, next, total, err := svc.ListAssociations(ctx, domain.AssociationFilter{}, 100, token)
		if err != nil {
			t.Fatalf("ListAssociations: %v", err)
		}
		s.Associations = total
		for _, a := range list {
			districts[a.District] = true
			s.AllSample = s.AllSample && a.Sample
		}
		token = next
	}
	s.Districts = len(districts)
	for token := "start"; token != ""; {
		if token == "start" {
			token = ""
		}
		list, next, total, err := svc.ListFirms(ctx, domain.FirmFilter{}, 100, token)
		if err != nil {
			t.Fatalf("ListFirms: %v", err)
		}
		s.Firms = total
		for _, f := range list {
			s.AllSample = s.AllSample && f.Sample
		}
		token = next
	}
	recs, _, err := svc.ListAudit(ctx, audit.Filter{}, 1, "")
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if len(recs) > 0 {
		s.NewestAudit = recs[0].ID
	}
	return s
}

func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the full demo data set")
	}
	ctx := context.Background()
	svc := newService(t)

	start := time.Now()
	sum, err := Load(ctx, svc, password, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("first Load: %d associations, %d firms, %d second memberships, %d accounts in %v",
		sum.Associations, sum.Firms, sum.Memberships, sum.NewAccounts, time.Since(start).Round(time.Millisecond))
	pl := newPlan()
	if sum.AlreadyLoaded || sum.Associations != len(pl.assocs) || sum.Firms != len(pl.firms) ||
		sum.Memberships != len(pl.extra) || sum.NewAccounts != len(pl.accounts) {
		t.Errorf("first Load summary = %+v, want everything created", sum)
	}

	admin := auth.WithPrincipal(ctx, systemAdmin)
	first := takeSnapshot(t, admin, svc)
	want := snapshot{Associations: len(pl.assocs), Firms: len(pl.firms), Districts: 13, AllSample: true, NewestAudit: first.NewestAudit}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("after the first Load (-want +got):\n%s", diff)
	}
	if first.Associations < 40 || first.Firms < 300 {
		t.Errorf("loaded %d associations and %d firms, want at least 40 and 300", first.Associations, first.Firms)
	}

	again, err := Load(ctx, svc, password, nil)
	if err != nil {
		t.Fatalf("second Load: %v", err)
	}
	if !again.AlreadyLoaded || again.Associations+again.Firms+again.Memberships+again.NewAccounts != 0 {
		t.Errorf("second Load summary = %+v, want AlreadyLoaded and nothing created", again)
	}
	if diff := cmp.Diff(first, takeSnapshot(t, admin, svc)); diff != "" {
		t.Errorf("second Load changed the data (-before +after):\n%s", diff)
	}

	t.Run("every demo account signs in", func(t *testing.T) {
		for _, a := range Accounts() {
			res, err := svc.Login(ctx, a.Username, password)
			if err != nil {
				t.Errorf("Login(%s): %v", a.Username, err)
				continue
			}
			if res.Account.Role != a.Role {
				t.Errorf("%s has role %s, want %s", a.Username, res.Account.Role, a.Role)
			}
			if err := res.Account.Principal().CheckScope(); err != nil {
				t.Errorf("%s: %v", a.Username, err)
			}
		}
	})

	t.Run("association admin sees only its members", func(t *testing.T) {
		for _, c := range []struct{ username, key string }{{"assoc-admin", adminAssocKey}, {"assoc-admin2", admin2AssocKey}} {
			res, err := svc.Login(ctx, c.username, password)
			if err != nil {
				t.Fatalf("Login(%s): %v", c.username, err)
			}
			p := res.Account.Principal()
			assoc, err := svc.GetAssociation(auth.WithPrincipal(ctx, p), p.AssociationID)
			if err != nil {
				t.Fatalf("GetAssociation: %v", err)
			}
			if assoc.Name != assocName(c.key) {
				t.Errorf("%s administers %s, want %s", c.username, assoc.Name, assocName(c.key))
			}
			wantMembers := 0
			for _, pf := range pl.firms {
				if pf.assocKey == c.key {
					wantMembers++
				}
			}
			for _, m := range pl.extra {
				if m.assocKey == c.key {
					wantMembers++
				}
			}
			firms, _, total, err := svc.ListFirms(auth.WithPrincipal(ctx, p), domain.FirmFilter{}, 100, "")
			if err != nil {
				t.Fatalf("ListFirms as %s: %v", c.username, err)
			}
			if total != wantMembers || len(firms) != wantMembers {
				t.Errorf("%s sees %d firms (total %d), want its %d members", c.username, len(firms), total, wantMembers)
			}
			for _, f := range firms {
				if !f.MemberOf(p.AssociationID) {
					t.Errorf("%s sees %s, which is not a member", c.username, f.Name)
				}
			}
		}
	})

	t.Run("firm users belong to the admins' associations", func(t *testing.T) {
		for _, c := range []struct{ firmUser, assocAdmin string }{{"firm-user", "assoc-admin"}, {"firm-user2", "assoc-admin2"}} {
			fu, err := svc.Login(ctx, c.firmUser, password)
			if err != nil {
				t.Fatalf("Login(%s): %v", c.firmUser, err)
			}
			aa, err := svc.Login(ctx, c.assocAdmin, password)
			if err != nil {
				t.Fatalf("Login(%s): %v", c.assocAdmin, err)
			}
			f, err := svc.GetFirm(auth.WithPrincipal(ctx, fu.Account.Principal()), fu.Account.FirmID)
			if err != nil {
				t.Fatalf("GetFirm as %s: %v", c.firmUser, err)
			}
			if !f.MemberOf(aa.Account.AssociationID) {
				t.Errorf("%s's firm %s is not a member of %s's association", c.firmUser, f.Name, c.assocAdmin)
			}
		}
	})

	t.Run("district officer reads its district", func(t *testing.T) {
		res, err := svc.Login(ctx, "xiaoshan", password)
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		firms, _, total, err := svc.ListFirms(auth.WithPrincipal(ctx, res.Account.Principal()), domain.FirmFilter{}, 100, "")
		if err != nil {
			t.Fatalf("ListFirms: %v", err)
		}
		if total == 0 {
			t.Error("the Xiaoshan officer sees no firms")
		}
		for _, f := range firms {
			if f.District != commonv1.District_DISTRICT_XIAOSHAN {
				t.Errorf("the Xiaoshan officer sees %s in %v", f.Name, f.District)
			}
		}
	})
}

func TestLoadRejectsAShortPasswordBeforeWriting(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	if _, err := Load(ctx, svc, "short", nil); err == nil {
		t.Fatal("Load with a 5-character password succeeded")
	}
	admin := auth.WithPrincipal(ctx, systemAdmin)
	if _, _, total, err := svc.ListAssociations(admin, domain.AssociationFilter{}, 1, ""); err != nil || total != 0 {
		t.Errorf("after a rejected Load: %d associations (err %v), want none", total, err)
	}
}

func TestLoadResumesAnInterruptedLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the full demo data set")
	}
	ctx := context.Background()
	svc := newService(t)
	// An interrupted first start: some associations and one firm exist,
	// no accounts yet.
	admin := auth.WithPrincipal(ctx, systemAdmin)
	pl := newPlan()
	ids := map[string]string{}
	for _, pa := range pl.assocs[:5] {
		v, err := svc.CreateAssociation(admin, pa.a)
		if err != nil {
			t.Fatalf("CreateAssociation: %v", err)
		}
		ids[pa.key] = v.ID
	}
	if _, err := svc.CreateFirm(admin, ids[pl.firms[0].assocKey], pl.firms[0].f); err != nil {
		t.Fatalf("CreateFirm: %v", err)
	}

	sum, err := Load(ctx, svc, password, nil)
	if err != nil {
		t.Fatalf("Load after an interruption: %v", err)
	}
	if sum.Associations != len(pl.assocs)-5 || sum.Firms != len(pl.firms)-1 {
		t.Errorf("resumed Load created %d associations and %d firms, want %d and %d",
			sum.Associations, sum.Firms, len(pl.assocs)-5, len(pl.firms)-1)
	}
	got := takeSnapshot(t, admin, svc)
	if got.Associations != len(pl.assocs) || got.Firms != len(pl.firms) {
		t.Errorf("after resuming: %d associations and %d firms, want %d and %d",
			got.Associations, got.Firms, len(pl.assocs), len(pl.firms))
	}
}
