package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	catalogapp "github.com/qihang-hz/qihang/services/catalog/app"
	catalogdomain "github.com/qihang-hz/qihang/services/catalog/domain"
	profilesapp "github.com/qihang-hz/qihang/services/profiles/app"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
)

// CatalogSummary reports what LoadCatalog did.
type CatalogSummary struct {
	// AlreadyLoaded is true when the demo catalog was present and
	// LoadCatalog wrote nothing.
	AlreadyLoaded bool
	// Policies created by this call, and the states this call left its
	// policies in (0 when AlreadyLoaded). Published counts the policies in
	// force or about to be (including one not yet in force); Expired those
	// published whose validity has ended.
	Policies  int
	Published int
	Expired   int
	Drafts    int
	Withdrawn int
	// Belts created by this call, and how many districts and counties the
	// demo belts cover.
	Belts         int
	BeltDistricts int
	Elapsed       time.Duration
}

// SystemPrincipal is the principal the demo data is written as: a bureau
// admin recorded in the audit log and version history as "system". Only this
// account may mark records as sample data. The launcher issues a token for
// it and puts both into the context it passes to LoadCatalog.
func SystemPrincipal() auth.Principal { return systemAdmin }

// LoadCatalog writes the demo support policies and industry belts through
// the catalog use cases, so every record passes the real validation (every
// criterion compiles in the eligibility engine), is audited and has a version
// history. Load the profiles demo data (Load) first: the belts name the demo
// associations that carry them.
//
// ctx must carry SystemPrincipal (auth.WithPrincipal) and incoming gRPC
// metadata with a bearer token issued for it: the catalog checks the belts'
// associations with the profiles service over gRPC with the caller's token.
//
// It is idempotent. The demo policies carry the tag DemoTag and a stable key
// in their source URL; when the last planned policy exists the load is
// complete and LoadCatalog writes nothing (AlreadyLoaded), whatever the
// statuses have become since (time expires policies; titles carry years). A
// load interrupted earlier resumes: belts are matched by district and brand
// name, policies by key, and each is brought to its planned state.
func LoadCatalog(ctx context.Context, catalog *catalogapp.Service, profiles *profilesapp.Service, logger *slog.Logger) (*CatalogSummary, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	if p := auth.FromContext(ctx); !p.Is(auth.RoleBureauAdmin) || p.AccountID != systemAdmin.AccountID {
		return nil, fmt.Errorf("demo: LoadCatalog must run as the system bureau admin (demo.SystemPrincipal), not %s", p)
	}
	if md, ok := metadata.FromIncomingContext(ctx); !ok || len(md.Get("authorization")) == 0 {
		return nil, errors.New("demo: LoadCatalog needs incoming gRPC metadata with an \"authorization: Bearer …\" token for the system principal; the catalog forwards it to the profiles service")
	}
	plan := planPolicies(time.Now())

	existing, err := demoPolicies(ctx, catalog)
	if err != nil {
		return nil, fmt.Errorf("demo: list demo policies: %w", err)
	}
	if last := plan[len(plan)-1]; existing[policyKey(last.policy)] != nil {
		logger.DebugContext(ctx, "demo catalog already loaded; nothing written")
		return &CatalogSummary{AlreadyLoaded: true, BeltDistricts: beltDistricts(), Elapsed: time.Since(start)}, nil
	}

	sum := &CatalogSummary{BeltDistricts: beltDistricts()}
	if sum.Belts, err = loadBelts(ctx, catalog, profiles); err != nil {
		return nil, err
	}
	for _, pp := range plan {
		created, err := ensurePolicy(ctx, catalog, pp, existing[policyKey(pp.policy)])
		if err != nil {
			return nil, fmt.Errorf("demo: policy %s: %w", pp.policy.GetTitle(), err)
		}
		if !created {
			continue
		}
		sum.Policies++
		switch pp.target {
		case statusPublish:
			sum.Published++
		case statusExpired:
			sum.Expired++
		case statusDraft:
			sum.Drafts++
		case statusWithdraw:
			sum.Withdrawn++
		}
	}
	sum.Elapsed = time.Since(start)
	logger.DebugContext(ctx, "demo catalog loaded", "policies", sum.Policies, "published", sum.Published,
		"expired", sum.Expired, "drafts", sum.Drafts, "withdrawn", sum.Withdrawn, "belts", sum.Belts,
		"elapsed", sum.Elapsed.Round(time.Millisecond))
	return sum, nil
}

// policyKey identifies a demo policy across loads and years: its source URL,
// which ends in the plan's key.
func policyKey(p *catalogv1.Policy) string { return p.GetSource().GetUrl() }

// demoPolicies returns the policies tagged DemoTag by key, as the caller sees
// them (a bureau admin sees drafts too).
func demoPolicies(ctx context.Context, catalog *catalogapp.Service) (map[string]*catalogv1.Policy, error) {
	out := map[string]*catalogv1.Policy{}
	token := ""
	for {
		list, next, _, err := catalog.ListPolicies(ctx, catalogdomain.PolicyFilter{Tag: DemoTag}, 100, token)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			out[policyKey(p)] = p
		}
		if next == "" {
			return out, nil
		}
		token = next
	}
}

// ensurePolicy creates pp unless cur (the policy of the same title from an
// interrupted load) exists, and brings it to its planned state. It reports
// whether it created the policy.
func ensurePolicy(ctx context.Context, catalog *catalogapp.Service, pp plannedPolicy, cur *catalogv1.Policy) (bool, error) {
	created := false
	if cur == nil {
		p, err := catalog.CreatePolicy(ctx, pp.policy, false)
		if err != nil {
			return false, err
		}
		cur, created = p, true
	}
	var err error
	if pp.target != statusDraft && cur.GetStatus() == statusDraft {
		if cur, err = catalog.PublishPolicy(ctx, cur.GetId(), cur.GetEtag(), "演示数据：发布"); err != nil {
			return created, fmt.Errorf("publish: %w", err)
		}
	}
	switch {
	case pp.target == statusExpired && cur.GetStatus() == statusPublish:
		patch := &catalogv1.Policy{Id: cur.GetId(), Etag: cur.GetEtag(), Validity: proto.Clone(pp.ended).(*commonv1.TimeWindow)}
		if _, err = catalog.UpdatePolicy(ctx, patch, []string{"validity"}, pp.note, false); err != nil {
			return created, fmt.Errorf("end validity: %w", err)
		}
	case pp.target == statusWithdraw && cur.GetStatus() == statusPublish:
		if _, err = catalog.WithdrawPolicy(ctx, cur.GetId(), cur.GetEtag(), pp.note); err != nil {
			return created, fmt.Errorf("withdraw: %w", err)
		}
	}
	return created, nil
}

// loadBelts creates the demo belts that do not exist yet (matched by
// district and brand name) and returns how many it created.
func loadBelts(ctx context.Context, catalog *catalogapp.Service, profiles *profilesapp.Service) (int, error) {
	assocIDs, err := associationIDs(ctx, profiles)
	if err != nil {
		return 0, fmt.Errorf("demo: list associations: %w", err)
	}
	have := map[string]bool{}
	token := ""
	for {
		list, next, _, err := catalog.ListIndustryBelts(ctx, catalogdomain.BeltFilter{}, 100, token)
		if err != nil {
			return 0, fmt.Errorf("demo: list industry belts: %w", err)
		}
		for _, b := range list {
			have[beltKey(b.GetDistrict(), b.GetBrandName())] = true
		}
		if next == "" {
			break
		}
		token = next
	}
	created := 0
	for _, s := range beltSeeds {
		if have[beltKey(s.district, s.brand)] {
			continue
		}
		ids := make([]string, 0, len(s.assocs))
		for _, key := range s.assocs {
			name := assocName(key)
			id, ok := assocIDs[name]
			if !ok {
				return created, fmt.Errorf("demo: belt %s: association %s not found; load the profiles demo data (demo.Load) first", s.brand, name)
			}
			ids = append(ids, id)
		}
		_, err := catalog.CreateIndustryBelt(ctx, beltMessage(s, ids))
		switch {
		case apperr.IsKind(err, apperr.KindAlreadyExists):
		case err != nil:
			return created, fmt.Errorf("demo: belt %s: %w", s.brand, err)
		default:
			created++
		}
	}
	return created, nil
}

func beltKey(d commonv1.District, brand string) string { return d.String() + "|" + brand }

// associationIDs maps association names to ids.
func associationIDs(ctx context.Context, profiles *profilesapp.Service) (map[string]string, error) {
	out := map[string]string{}
	token := ""
	for {
		list, next, _, err := profiles.ListAssociations(ctx, profilesdomain.AssociationFilter{}, 100, token)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			out[a.Name] = a.ID
		}
		if next == "" {
			return out, nil
		}
		token = next
	}
}

// beltDistricts counts the districts and counties the demo belts cover.
func beltDistricts() int {
	seen := map[commonv1.District]bool{}
	for _, s := range beltSeeds {
		seen[s.district] = true
	}
	return len(seen)
}
