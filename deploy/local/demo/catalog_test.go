package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	catalogapp "github.com/qihang-hz/qihang/services/catalog/app"
	catalogdomain "github.com/qihang-hz/qihang/services/catalog/domain"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
	catalogserver "github.com/qihang-hz/qihang/services/catalog/server"
	profilesapp "github.com/qihang-hz/qihang/services/profiles/app"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
	profilesserver "github.com/qihang-hz/qihang/services/profiles/server"
)

// TestCatalogPlanIsValid checks the demo policies and belts without a store:
// every field passes the catalog's validation, every criterion compiles in
// the real engine, and the data is marked as sample data.
func TestCatalogPlanIsValid(t *testing.T) {
	now := time.Now()
	engine, err := eligibility.NewEngine(eligibility.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan := planPolicies(now)
	titles := map[string]bool{}
	targets := map[catalogv1.PolicyStatus]int{}
	levels := map[catalogv1.PolicyLevel]int{}
	districtLevel := map[commonv1.District]bool{}
	var openRound, closedRound, notInForce bool
	for _, pp := range plan {
		p := proto.Clone(pp.policy).(*catalogv1.Policy)
		catalogdomain.NormalizePolicy(p)
		if err := catalogdomain.ValidatePolicy(p).Err(); err != nil {
			t.Errorf("%s: %v", p.Title, err)
		}
		if _, v := engine.CompilePolicy(p); v != nil {
			t.Errorf("%s: criteria do not compile: %v", p.Title, v.Err())
		}
		if err := catalogdomain.ValidatePublishable(p, false).Err(); err != nil {
			t.Errorf("%s: not publishable: %v", p.Title, err)
		}
		if n := len(p.Criteria); n < 1 || n > 4 {
			t.Errorf("%s: %d explicit criteria, want 1 to 4", p.Title, n)
		}
		if titles[p.Title] {
			t.Errorf("title %s used twice", p.Title)
		}
		titles[p.Title] = true
		if !p.Sample || !slices.Contains(p.Tags, DemoTag) || !strings.HasPrefix(p.Summary, demoMark) || !strings.HasPrefix(p.FullText, demoMark) {
			t.Errorf("%s is not marked as demo data (sample, tag %s, summary and full text starting with %s)", p.Title, DemoTag, demoMark)
		}
		if !strings.Contains(p.GetSource().GetDocumentTitle(), "演示") || p.GetSource().GetDocumentNumber() != "" && !strings.Contains(p.GetSource().GetDocumentNumber(), "〔演示〕") {
			t.Errorf("%s: source %q %q is not clearly fictional", p.Title, p.GetSource().GetDocumentTitle(), p.GetSource().GetDocumentNumber())
		}
		if !strings.Contains(p.EnquiryContact, "0571-0000") {
			t.Errorf("%s: enquiry contact %q is not in the fictional 0571-0000xxxx range", p.Title, p.EnquiryContact)
		}
		targets[pp.target]++
		levels[p.Level]++
		if p.Level == catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT {
			districtLevel[p.Districts[0]] = true
		}
		if pp.target == statusExpired && (pp.ended == nil || !pp.ended.GetEndTime().AsTime().Before(now)) {
			t.Errorf("%s: planned expired, but its final validity %v has not ended", p.Title, pp.ended)
		}
		if pp.target == statusPublish {
			open, _ := eligibility.OpenAt(statusPublish, p.Validity, p.ApplicationWindow, now)
			switch {
			case p.ApplicationWindow != nil && open:
				openRound = true
			case p.ApplicationWindow != nil:
				closedRound = true
			case p.Validity.GetStartTime().AsTime().After(now):
				notInForce = true
			}
		}
	}
	if n := len(plan); n < 28 || n > 40 {
		t.Errorf("%d demo policies, want about 30", n)
	}
	if targets[statusPublish] < 25 || targets[statusDraft] < 2 || targets[statusDraft] > 3 || targets[statusWithdraw] != 1 || targets[statusExpired] < 2 {
		t.Errorf("planned states %v, want ≥25 published, 2–3 drafts, 1 withdrawn, ≥2 expired", targets)
	}
	if len(levels) != 4 || len(districtLevel) < 4 {
		t.Errorf("levels %v and district-level policies in %d districts, want all four levels and at least 4 districts", levels, len(districtLevel))
	}
	if !openRound || !closedRound || !notInForce {
		t.Errorf("open round %v, closed round %v, not yet in force %v: want each", openRound, closedRound, notInForce)
	}
	if last := plan[len(plan)-1]; last.target != statusPublish {
		t.Errorf("the last policy (the completion marker) is planned %v, want published", last.target)
	}

	covered := map[commonv1.District]bool{}
	brands := map[string]bool{}
	for _, s := range beltSeeds {
		b := beltMessage(s, []string{"placeholder"})
		catalogdomain.NormalizeBelt(b)
		if err := catalogdomain.ValidateBelt(b).Err(); err != nil {
			t.Errorf("belt %s: %v", s.brand, err)
		}
		if brands[beltKey(s.district, s.brand)] {
			t.Errorf("belt %s twice in %v", s.brand, s.district)
		}
		brands[beltKey(s.district, s.brand)] = true
		if !b.Sample || !strings.HasPrefix(b.Description, demoMark) {
			t.Errorf("belt %s is not marked as demo data", s.brand)
		}
		if n := len(b.ServiceProviders); n < 1 || n > 3 {
			t.Errorf("belt %s has %d service providers, want 1 to 3", s.brand, n)
		}
		if len(s.assocs) == 0 {
			t.Errorf("belt %s has no association", s.brand)
		}
		for _, key := range s.assocs {
			assocName(key) // panics on an unknown key
			if seed := seedOf(key); !slices.ContainsFunc(seed.belts, func(k string) bool { return slices.Contains(s.from, k) }) {
				t.Errorf("belt %s is carried by %s, whose members are not in it", s.brand, seed.name)
			}
		}
		if !s.draft {
			covered[s.district] = true
		}
	}
	if len(covered) != 13 {
		t.Errorf("published demo belts cover %d districts, want all 13", len(covered))
	}
}

func seedOf(key string) assocSeed {
	for _, s := range assocSeeds {
		if s.key == key {
			return s
		}
	}
	panic("unknown association " + key)
}

// catalogStack is the profiles service behind a real gRPC server and the
// catalog service calling it, as the launcher wires them.
type catalogStack struct {
	profiles *profilesapp.Service
	catalog  *catalogapp.Service
	// admin is the context the launcher passes to LoadCatalog: the system
	// principal and its bearer token in the incoming metadata.
	admin context.Context
}

func newCatalogStack(t *testing.T) *catalogStack {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub, key, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(key, time.Hour)
	profiles, err := profilesserver.New(ctx, storetest.NewDatabase(t), issuer, logger)
	if err != nil {
		t.Fatalf("profiles server.New: %v", err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          logger,
		Authenticator:   auth.NewAuthenticator(auth.NewVerifier(pub), profilesserver.PublicMethods()...),
		ShutdownTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	profiles.Register(srv.GRPC())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		stop()
		if err := <-served; err != nil {
			t.Errorf("profiles gRPC server: %v", err)
		}
	})
	catalog, err := catalogserver.New(ctx, storetest.NewDatabase(t), conn, logger)
	if err != nil {
		t.Fatalf("catalog server.New: %v", err)
	}
	token, _, err := issuer.Issue(SystemPrincipal())
	if err != nil {
		t.Fatal(err)
	}
	admin := metadata.NewIncomingContext(auth.WithPrincipal(ctx, SystemPrincipal()),
		metadata.Pairs("authorization", "Bearer "+token))
	return &catalogStack{profiles: profiles.App, catalog: catalog.App, admin: admin}
}

func allPolicies(t *testing.T, ctx context.Context, catalog *catalogapp.Service) []*catalogv1.Policy {
	t.Helper()
	var out []*catalogv1.Policy
	for token := "start"; token != ""; {
		if token == "start" {
			token = ""
		}
		list, next, _, err := catalog.ListPolicies(ctx, catalogdomain.PolicyFilter{}, 100, token)
		if err != nil {
			t.Fatalf("ListPolicies: %v", err)
		}
		out = append(out, list...)
		token = next
	}
	return out
}

func allBelts(t *testing.T, ctx context.Context, catalog *catalogapp.Service) []*catalogv1.IndustryBelt {
	t.Helper()
	var out []*catalogv1.IndustryBelt
	for token := "start"; token != ""; {
		if token == "start" {
			token = ""
		}
		list, next, _, err := catalog.ListIndustryBelts(ctx, catalogdomain.BeltFilter{}, 100, token)
		if err != nil {
			t.Fatalf("ListIndustryBelts: %v", err)
		}
		out = append(out, list...)
		token = next
	}
	return out
}

// catalogSnapshot is what a second LoadCatalog must not change.
func catalogSnapshot(t *testing.T, ctx context.Context, catalog *catalogapp.Service) []string {
	t.Helper()
	var out []string
	for _, p := range allPolicies(t, ctx, catalog) {
		out = append(out, fmt.Sprintf("policy %s v%d %s %s", p.Id, p.Version, p.Etag, p.Status))
	}
	for _, b := range allBelts(t, ctx, catalog) {
		out = append(out, fmt.Sprintf("belt %s %s %s", b.Id, b.Etag, b.BrandName))
	}
	sort.Strings(out)
	return out
}

func firmIDByUSCC(t *testing.T, ctx context.Context, profiles *profilesapp.Service, code string) string {
	t.Helper()
	list, _, _, err := profiles.ListFirms(ctx, profilesdomain.FirmFilter{USCC: code}, 1, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("ListFirms(USCC %s) = %d firms, %v", code, len(list), err)
	}
	return list[0].ID
}

func TestLoadCatalog(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the full demo data set")
	}
	s := newCatalogStack(t)
	ctx := s.admin

	if _, err := LoadCatalog(auth.WithPrincipal(context.Background(), SystemPrincipal()), s.catalog, s.profiles, nil); err == nil {
		t.Error("LoadCatalog without a token in the metadata succeeded")
	}
	if _, err := Load(context.Background(), s.profiles, password, nil); err != nil {
		t.Fatalf("Load: %v", err)
	}

	start := time.Now()
	sum, err := LoadCatalog(ctx, s.catalog, s.profiles, nil)
	if err != nil {
		t.Fatalf("LoadCatalog: %v", err)
	}
	t.Logf("LoadCatalog: %+v (wall %v)", *sum, time.Since(start).Round(time.Millisecond))
	plan := planPolicies(time.Now())
	if sum.AlreadyLoaded || sum.Policies != len(plan) || sum.Belts != len(beltSeeds) || sum.BeltDistricts != 13 {
		t.Errorf("summary %+v, want %d policies and %d belts created in 13 districts", *sum, len(plan), len(beltSeeds))
	}

	t.Run("policies", func(t *testing.T) {
		byStatus := map[catalogv1.PolicyStatus]int{}
		for _, p := range allPolicies(t, ctx, s.catalog) {
			byStatus[p.Status]++
			if !p.Sample || !slices.Contains(p.Tags, DemoTag) || !strings.HasPrefix(p.Summary, demoMark) {
				t.Errorf("%s is not marked as sample data", p.Title)
			}
		}
		t.Logf("policies by status: %v", byStatus)
		if byStatus[statusPublish] < 25 || byStatus[statusDraft] < 2 || byStatus[statusWithdraw] != 1 || byStatus[statusExpired] < 2 {
			t.Errorf("policies by status %v, want ≥25 published, ≥2 drafts, 1 withdrawn, ≥2 expired", byStatus)
		}
		if sum.Published != byStatus[statusPublish] || sum.Drafts != byStatus[statusDraft] ||
			sum.Withdrawn != byStatus[statusWithdraw] || sum.Expired != byStatus[statusExpired] {
			t.Errorf("summary %+v disagrees with the stored statuses %v", *sum, byStatus)
		}
		// An expired policy keeps its history: created, published, validity ended.
		for _, p := range allPolicies(t, ctx, s.catalog) {
			if p.Status != statusExpired {
				continue
			}
			versions, _, _, err := s.catalog.ListPolicyVersions(ctx, p.Id, 10, "")
			if err != nil {
				t.Fatalf("ListPolicyVersions: %v", err)
			}
			if len(versions) != 3 || versions[0].ActorId != "system" {
				t.Errorf("expired %s has %d versions (newest by %s), want 3 by system", p.Title, len(versions), versions[0].GetActorId())
			}
			full, err := s.catalog.GetPolicy(ctx, p.Id)
			if err != nil || !strings.HasPrefix(full.FullText, demoMark) {
				t.Errorf("GetPolicy(%s): full text %.20q, %v", p.Title, full.GetFullText(), err)
			}
		}
		// Anonymous readers see no drafts.
		anon := allPolicies(t, context.Background(), s.catalog)
		for _, p := range anon {
			if p.Status == statusDraft {
				t.Errorf("anonymous reader sees draft %s", p.Title)
			}
		}
	})

	t.Run("belts", func(t *testing.T) {
		list := allBelts(t, ctx, s.catalog)
		districts := map[commonv1.District]bool{}
		for _, b := range list {
			if !b.Sample || !strings.HasPrefix(b.Description, demoMark) {
				t.Errorf("belt %s is not marked as sample data", b.BrandName)
			}
			if len(b.AssociationIds) == 0 || len(b.HsChapters) == 0 || len(b.ServiceProviders) == 0 {
				t.Errorf("belt %s: %d associations, %d HS chapters, %d providers", b.BrandName, len(b.AssociationIds), len(b.HsChapters), len(b.ServiceProviders))
			}
			if b.Status == catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED {
				districts[b.District] = true
			}
		}
		if len(list) < 13 || len(districts) != 13 {
			t.Errorf("%d belts, published ones in %d districts; want ≥13 covering all 13", len(list), len(districts))
		}
		// The belts' associations are the demo associations of their district's industry.
		for _, b := range list {
			for _, id := range b.AssociationIds {
				a, err := s.profiles.GetAssociation(ctx, id)
				if err != nil {
					t.Fatalf("GetAssociation(%s): %v", id, err)
				}
				if !slices.Contains(a.Industries, b.Industry) {
					t.Errorf("belt %s (%s) is carried by %s, whose industries are %v", b.BrandName, refdata.Label(b.Industry), a.Name, a.Industries)
				}
			}
		}
	})

	t.Run("demo firms get a spread of verdicts", func(t *testing.T) {
		pl := newPlan()
		for _, key := range []string{adminAssocKey, admin2AssocKey, "bj-hardware"} {
			f := pl.firms[showcaseFirmOf(pl, key)].f
			id := firmIDByUSCC(t, ctx, s.profiles, f.USCC)
			res, err := s.catalog.EvaluatePolicies(ctx, catalogapp.EvaluateRequest{FirmID: id, PageSize: 100})
			if err != nil {
				t.Fatalf("EvaluatePolicies(%s): %v", f.Name, err)
			}
			counts := map[catalogv1.Verdict]int{}
			var lines []string
			for _, e := range res.Evaluations {
				counts[e.Verdict]++
				lines = append(lines, fmt.Sprintf("  %-12s %s（%s）", refdata.Label(e.Verdict), e.PolicyTitle, e.VerdictReason))
			}
			t.Logf("%s（%s，%s，%s）: %v\n%s", f.Name, refdata.Label(f.District), refdata.Label(f.Industry), refdata.Label(f.Stage),
				counts, strings.Join(lines, "\n"))
			if counts[catalogv1.Verdict_VERDICT_ELIGIBLE]+counts[catalogv1.Verdict_VERDICT_LIKELY] == 0 || counts[catalogv1.Verdict_VERDICT_NOT_ELIGIBLE] == 0 {
				t.Errorf("%s: verdicts %v, want at least one eligible or likely and one not eligible", f.Name, counts)
			}
		}
	})

	t.Run("every open policy fits some demo firms", func(t *testing.T) {
		// A fixed third of the firms (by USCC): evaluating one firm costs
		// tens of milliseconds on the embedded store (see the report on
		// profiles GetAssociation), all 333 would take half a minute.
		var all []*profilesapp.FirmView
		for token := "start"; token != ""; {
			if token == "start" {
				token = ""
			}
			list, next, _, err := s.profiles.ListFirms(ctx, profilesdomain.FirmFilter{}, 100, token)
			if err != nil {
				t.Fatalf("ListFirms: %v", err)
			}
			all = append(all, list...)
			token = next
		}
		slices.SortFunc(all, func(a, b *profilesapp.FirmView) int { return strings.Compare(a.USCC, b.USCC) })
		perPolicy := map[string]map[catalogv1.Verdict]int{}
		overall := map[catalogv1.Verdict]int{}
		firms, eligibleFirms := 0, 0
		began := time.Now()
		for i, f := range all {
			if i%3 != 0 {
				continue
			}
			res, err := s.catalog.EvaluatePolicies(ctx, catalogapp.EvaluateRequest{FirmID: f.ID, PageSize: 100})
			if err != nil {
				t.Fatalf("EvaluatePolicies(%s): %v", f.Name, err)
			}
			firms++
			fits := false
			for _, e := range res.Evaluations {
				if perPolicy[e.PolicyTitle] == nil {
					perPolicy[e.PolicyTitle] = map[catalogv1.Verdict]int{}
				}
				perPolicy[e.PolicyTitle][e.Verdict]++
				overall[e.Verdict]++
				fits = fits || e.Verdict == catalogv1.Verdict_VERDICT_ELIGIBLE
			}
			if fits {
				eligibleFirms++
			}
		}
		var lines []string
		for _, pp := range plan {
			title := pp.policy.GetTitle()
			c, ok := perPolicy[title]
			if !ok {
				continue // drafts, withdrawn
			}
			lines = append(lines, fmt.Sprintf("  符合%3d 可能%3d 不符合%3d 不在申报期%3d  %s", c[catalogv1.Verdict_VERDICT_ELIGIBLE],
				c[catalogv1.Verdict_VERDICT_LIKELY], c[catalogv1.Verdict_VERDICT_NOT_ELIGIBLE], c[catalogv1.Verdict_VERDICT_NOT_OPEN], title))
			open, _ := eligibility.OpenAt(statusPublish, pp.policy.GetValidity(), pp.policy.GetApplicationWindow(), time.Now())
			if pp.target == statusPublish && open && c[catalogv1.Verdict_VERDICT_ELIGIBLE]+c[catalogv1.Verdict_VERDICT_LIKELY] == 0 {
				t.Errorf("no demo firm is eligible or likely for %s", title)
			}
		}
		t.Logf("%d firms evaluated in %v; %d eligible for at least one policy; verdicts %v\n%s", firms,
			time.Since(began).Round(time.Millisecond), eligibleFirms, overall, strings.Join(lines, "\n"))
		if share := float64(overall[catalogv1.Verdict_VERDICT_NOT_ELIGIBLE]) / float64(firms*len(perPolicy)); share < 0.5 {
			t.Errorf("only %.0f%% of evaluations are not eligible; the demo policies are too easy", 100*share)
		}
		if eligibleFirms < firms/3 {
			t.Errorf("only %d of %d firms are eligible for any policy", eligibleFirms, firms)
		}
	})

	before := catalogSnapshot(t, ctx, s.catalog)
	again, err := LoadCatalog(ctx, s.catalog, s.profiles, nil)
	if err != nil {
		t.Fatalf("second LoadCatalog: %v", err)
	}
	if !again.AlreadyLoaded || again.Policies+again.Belts != 0 {
		t.Errorf("second LoadCatalog summary %+v, want AlreadyLoaded and nothing created", *again)
	}
	if diff := cmp.Diff(before, catalogSnapshot(t, ctx, s.catalog)); diff != "" {
		t.Errorf("second LoadCatalog changed the catalog (-before +after):\n%s", diff)
	}
}

func TestLoadCatalogResumesAnInterruptedLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the full demo data set")
	}
	s := newCatalogStack(t)
	ctx := s.admin
	if _, err := Load(context.Background(), s.profiles, password, nil); err != nil {
		t.Fatalf("Load: %v", err)
	}
	// An interrupted first start: two policies created, one of them
	// published, no belts yet.
	plan := planPolicies(time.Now())
	first, err := s.catalog.CreatePolicy(ctx, plan[0].policy, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.catalog.PublishPolicy(ctx, first.Id, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.catalog.CreatePolicy(ctx, plan[1].policy, false); err != nil {
		t.Fatal(err)
	}
	sum, err := LoadCatalog(ctx, s.catalog, s.profiles, nil)
	if err != nil {
		t.Fatalf("LoadCatalog after an interruption: %v", err)
	}
	if sum.AlreadyLoaded || sum.Policies != len(plan)-2 || sum.Belts != len(beltSeeds) {
		t.Errorf("resumed LoadCatalog %+v, want %d policies and %d belts created", *sum, len(plan)-2, len(beltSeeds))
	}
	got := allPolicies(t, ctx, s.catalog)
	if len(got) != len(plan) {
		t.Errorf("%d policies after resuming, want %d", len(got), len(plan))
	}
	for _, p := range got {
		if p.Title == plan[1].policy.GetTitle() && p.Status != plan[1].target {
			t.Errorf("%s is %v after resuming, want %v", p.Title, p.Status, plan[1].target)
		}
	}
}

func TestLoadCatalogNeedsTheSystemPrincipal(t *testing.T) {
	ctx := metadata.NewIncomingContext(auth.WithPrincipal(context.Background(), auth.Principal{AccountID: "a1", Username: "admin", Role: auth.RoleBureauAdmin}),
		metadata.Pairs("authorization", "Bearer x"))
	_, err := LoadCatalog(ctx, nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "system") {
		t.Errorf("LoadCatalog as a plain bureau admin: %v, want an error naming the system principal", err)
	}
}
