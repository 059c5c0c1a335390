package eval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/grpcserver"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/internal/uscc"
	catalogserver "github.com/qihang-hz/qihang/services/catalog/server"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/indexsync"
	matchserver "github.com/qihang-hz/qihang/services/match/server"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
	profilesserver "github.com/qihang-hz/qihang/services/profiles/server"
)

// Stack is a fresh profiles + catalog deployment on one real gRPC server,
// with one match service per engine on a server of its own (all following
// the same change feeds), the way the launcher wires them. The evaluation
// set is written through the services' use cases as the system bureau
// admin, like demo data, so every record passes the real validation.
type Stack struct {
	profiles *profilesserver.Service
	catalog  *catalogserver.Service
	issuer   *auth.Issuer
	verifier *auth.Verifier
	conn     *grpc.ClientConn
	logger   *slog.Logger

	// system is an incoming context of the system bureau admin (for the
	// use cases); token is its bearer token (for RPCs).
	system context.Context
	token  string

	// IDs maps the set's keys to the ids the services gave them.
	IDs *IDs

	mu    sync.Mutex
	stops []func()
}

// IDs maps keys to ids and back, per kind of record.
type IDs struct {
	Associations map[string]string
	Belts        map[string]string
	Policies     map[string]string
	Queries      map[string]string
	// byID maps every id to its key.
	byID map[string]string
}

// Key returns the set key of an id ("?id" for an id the set did not
// create).
func (m *IDs) Key(id string) string {
	if k, ok := m.byID[id]; ok {
		return k
	}
	return "?" + id
}

func (m *IDs) put(into map[string]string, key, id string) {
	into[key] = id
	m.byID[id] = key
}

// Databases are the stack's fresh databases.
type Databases struct {
	Profiles store.Database
	Catalog  store.Database
}

// Start starts profiles and catalog on a gRPC server on 127.0.0.1. Close
// stops everything Start and Match started.
func Start(ctx context.Context, dbs Databases, logger *slog.Logger) (*Stack, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pub, priv, err := auth.GenerateKey()
	if err != nil {
		return nil, err
	}
	s := &Stack{issuer: auth.NewIssuer(priv, 2*time.Hour), verifier: auth.NewVerifier(pub), logger: logger}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.conn, err = grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		lis.Close()
		return nil, err
	}
	s.onClose(func() { _ = s.conn.Close() })
	if s.profiles, err = profilesserver.New(ctx, dbs.Profiles, s.issuer, logger); err != nil {
		lis.Close()
		s.Close()
		return nil, err
	}
	if s.catalog, err = catalogserver.New(ctx, dbs.Catalog, s.conn, logger); err != nil {
		lis.Close()
		s.Close()
		return nil, err
	}
	srv, err := s.server(append(profilesserver.PublicMethods(), catalogserver.PublicMethods()...))
	if err != nil {
		lis.Close()
		s.Close()
		return nil, err
	}
	s.profiles.Register(srv.GRPC())
	s.catalog.Register(srv.GRPC())
	s.serve(srv, lis)

	system := auth.Principal{AccountID: "system", Username: "system", Role: auth.RoleBureauAdmin}
	if s.token, _, err = s.issuer.Issue(system); err != nil {
		s.Close()
		return nil, err
	}
	s.system = metadata.NewIncomingContext(auth.WithPrincipal(ctx, system), metadata.Pairs("authorization", "Bearer "+s.token))
	return s, nil
}

func (s *Stack) server(public []string) (*grpcserver.Server, error) {
	return grpcserver.New(grpcserver.Options{
		Logger: s.logger, Authenticator: auth.NewAuthenticator(s.verifier, public...), ShutdownTimeout: 5 * time.Second,
	})
}

func (s *Stack) serve(srv *grpcserver.Server, lis net.Listener) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, lis) }()
	s.onClose(func() { stop(); <-done })
}

func (s *Stack) onClose(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stops = append(s.stops, f)
}

// Close stops the servers and match services, newest first.
func (s *Stack) Close() {
	s.mu.Lock()
	stops := s.stops
	s.stops = nil
	s.mu.Unlock()
	for i := len(stops) - 1; i >= 0; i-- {
		stops[i]()
	}
}

// Caller returns ctx carrying the system bureau admin's token, for match
// RPCs.
func (s *Stack) Caller(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+s.token)
}

// Match starts a match service on engine, on a gRPC server of its own,
// builds its indexes from the feeds and returns a client once every index
// has its first build. Load the set first: the first build then holds all
// of it, so no freshness wait is needed.
func (s *Stack) Match(ctx context.Context, engine index.Engine) (matchv1.MatchServiceClient, error) {
	svc := matchserver.New(engine, matchserver.Conns{Profiles: s.conn, Catalog: s.conn}, auth.NewServiceTokens(s.issuer, "match"),
		matchserver.Options{Logger: s.logger, Sync: indexsync.Options{PollInterval: 50 * time.Millisecond, ReconcileEvery: -1}})
	srv, err := s.server(matchserver.PublicMethods())
	if err != nil {
		return nil, err
	}
	svc.Register(srv.GRPC())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.serve(srv, lis)
	syncCtx, stopSync := context.WithCancel(context.Background())
	synced := make(chan struct{})
	go func() { defer close(synced); svc.Run(syncCtx) }()
	s.onClose(func() { stopSync(); <-synced })
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := svc.Syncer.WaitReady(wctx); err != nil {
		return nil, fmt.Errorf("eval: first index build on %s: %w", engine.Name(), err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, err
	}
	s.onClose(func() { _ = conn.Close() })
	return matchv1.NewMatchServiceClient(conn), nil
}

// Load writes the set through the use cases: associations, belts,
// policies (brought to their states), background firms and their extra
// memberships, then the query firms. It fills s.IDs.
func (s *Stack) Load(set *Set) error {
	ids := &IDs{Associations: map[string]string{}, Belts: map[string]string{}, Policies: map[string]string{}, Queries: map[string]string{}, byID: map[string]string{}}
	s.IDs = ids
	ctx := s.system
	serial := int64(0)
	code := func(prefix string) (string, error) {
		serial++
		body := fmt.Sprintf("%s%09d", prefix, 700000000+serial)
		c, ok := uscc.CheckChar(body)
		if !ok {
			return "", fmt.Errorf("eval: no check character for %s", body)
		}
		return body + string(c), nil
	}
	for _, a := range set.Associations {
		dom, err := associationDomain(a)
		if err != nil {
			return err
		}
		if dom.USCC, err = code("51330100"); err != nil {
			return err
		}
		v, err := s.profiles.App.CreateAssociation(ctx, dom)
		if err != nil {
			return fmt.Errorf("eval: association %s: %w", a.Key, err)
		}
		ids.put(ids.Associations, a.Key, v.ID)
	}
	for _, b := range set.Belts {
		msg, err := beltMessage(b, ids.Associations)
		if err != nil {
			return err
		}
		created, err := s.catalog.App.CreateIndustryBelt(ctx, msg)
		if err != nil {
			return fmt.Errorf("eval: belt %s: %w", b.Key, err)
		}
		ids.put(ids.Belts, b.Key, created.GetId())
	}
	now := time.Now()
	for _, p := range set.Policies {
		id, err := s.createPolicy(ctx, p, now)
		if err != nil {
			return fmt.Errorf("eval: policy %s: %w", p.Key, err)
		}
		ids.put(ids.Policies, p.Key, id)
	}
	for _, c := range set.Cohorts {
		for i := range c.Count {
			f, err := cohortFirm(c, i, set)
			if err != nil {
				return err
			}
			if f.USCC, err = code("91330100"); err != nil {
				return err
			}
			if _, err := s.profiles.App.CreateFirm(ctx, ids.Associations[c.Association], f); err != nil {
				return fmt.Errorf("eval: cohort %s firm %d: %w", c.Association, i, err)
			}
			if i%3 == 0 {
				for _, also := range c.Also {
					if _, _, err := s.profiles.App.CreateMembership(ctx, ids.Associations[also], f.USCC); err != nil {
						return fmt.Errorf("eval: cohort %s firm %d joins %s: %w", c.Association, i, also, err)
					}
				}
			}
		}
	}
	for _, q := range set.Queries {
		f, err := queryFirm(q)
		if err != nil {
			return err
		}
		if f.USCC, err = code("91330100"); err != nil {
			return err
		}
		v, err := s.profiles.App.CreateFirm(ctx, ids.Associations[q.Association], f)
		if err != nil {
			return fmt.Errorf("eval: query firm %s: %w", q.Key, err)
		}
		ids.put(ids.Queries, q.Key, v.Firm.ID)
	}
	return nil
}

func (s *Stack) createPolicy(ctx context.Context, p Policy, now time.Time) (string, error) {
	msg, err := policyMessage(p, now)
	if err != nil {
		return "", err
	}
	a := s.catalog.App
	created, err := a.CreatePolicy(ctx, msg, false)
	if err != nil {
		return "", err
	}
	if p.State == StateDraft {
		return created.GetId(), nil
	}
	pub, err := a.PublishPolicy(ctx, created.GetId(), created.GetEtag(), "评测样例：发布")
	if err != nil {
		return "", fmt.Errorf("publish: %w", err)
	}
	switch p.State {
	case StateExpired:
		ended := &commonv1.TimeWindow{StartTime: timestamppb.New(now.AddDate(-3, 0, 0)), EndTime: timestamppb.New(now.AddDate(-1, 0, 0))}
		patch := &catalogv1.Policy{Id: pub.GetId(), Etag: pub.GetEtag(), Validity: ended}
		if _, err := a.UpdatePolicy(ctx, patch, []string{"validity"}, "评测样例：实施期限已结束", false); err != nil {
			return "", fmt.Errorf("end validity: %w", err)
		}
	case StateWithdrawn:
		if _, err := a.WithdrawPolicy(ctx, pub.GetId(), pub.GetEtag(), "评测样例：撤回"); err != nil {
			return "", fmt.Errorf("withdraw: %w", err)
		}
	}
	return pub.GetId(), nil
}

// policyMessage builds a policy in force from a year ago to a year ahead;
// a closed one's application round ended last month.
func policyMessage(p Policy, now time.Time) (*catalogv1.Policy, error) {
	var errs []error
	level, err := enumValue(catalogv1.PolicyLevel_value, "POLICY_LEVEL_", p.Level)
	errs = append(errs, err)
	ds, err := enumValues[commonv1.District](commonv1.District_value, "DISTRICT_", p.Districts)
	errs = append(errs, err)
	inds, err := enumValues[commonv1.Industry](commonv1.Industry_value, "INDUSTRY_", p.Industries)
	errs = append(errs, err)
	stages, err := enumValues[commonv1.CrossBorderStage](commonv1.CrossBorderStage_value, "CROSS_BORDER_STAGE_", p.Stages)
	errs = append(errs, err)
	cats, err := enumValues[catalogv1.PolicyCategory](catalogv1.PolicyCategory_value, "POLICY_CATEGORY_", p.Categories)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("eval: policy %s: %w", p.Key, err)
	}
	fen := p.MaxWan * 1_000_000
	msg := &catalogv1.Policy{
		Title: p.Title, Issuer: p.Issuer, Level: catalogv1.PolicyLevel(level), Districts: ds, Industries: inds, Stages: stages,
		Categories: cats, Summary: p.Summary, FullText: "【评测样例数据】" + p.Summary + "\n" + p.Benefit,
		Benefit:  &catalogv1.Benefit{Description: p.Benefit, MaxAmountFen: &fen},
		Validity: &commonv1.TimeWindow{StartTime: timestamppb.New(now.AddDate(-1, 0, 0)), EndTime: timestamppb.New(now.AddDate(1, 0, 0))},
		Tags:     append([]string{SampleTag}, p.Tags...), Sample: true,
	}
	if p.State == StateClosed {
		msg.ApplicationWindow = &commonv1.TimeWindow{StartTime: timestamppb.New(now.AddDate(0, -4, 0)), EndTime: timestamppb.New(now.AddDate(0, -1, 0))}
	}
	for _, c := range p.Criteria {
		msg.Criteria = append(msg.Criteria, &catalogv1.Criterion{Id: c.ID, Description: c.Desc, Expression: c.Expr})
	}
	return msg, nil
}

func beltMessage(b Belt, assocIDs map[string]string) (*catalogv1.IndustryBelt, error) {
	d, err1 := enumValue(commonv1.District_value, "DISTRICT_", b.District)
	ind, err2 := enumValue(commonv1.Industry_value, "INDUSTRY_", b.Industry)
	ps, err3 := enumValues[commonv1.SalesPlatform](commonv1.SalesPlatform_value, "SALES_PLATFORM_", b.Platforms)
	status := catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED
	var err4 error
	if b.Status != "" {
		var v int32
		v, err4 = enumValue(catalogv1.IndustryBeltStatus_value, "INDUSTRY_BELT_STATUS_", b.Status)
		status = catalogv1.IndustryBeltStatus(v)
	}
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, fmt.Errorf("eval: belt %s: %w", b.Key, err)
	}
	var assocs []string
	for _, k := range b.Associations {
		assocs = append(assocs, assocIDs[k])
	}
	return &catalogv1.IndustryBelt{
		District: commonv1.District(d), Industry: commonv1.Industry(ind), BrandName: b.Brand,
		Description: "【评测样例数据】" + b.Description, Locations: b.Locations, KeyProducts: b.Products, HsChapters: b.HS,
		TargetMarkets: b.Markets, AnchorPlatforms: ps, AssociationIds: assocs, Status: status, Sample: true,
	}, nil
}

func associationDomain(a Association) (*profilesdomain.Association, error) {
	t, err1 := enumValue(profilesv1.AssociationType_value, "ASSOCIATION_TYPE_", a.Type)
	d, err2 := enumValue(commonv1.District_value, "DISTRICT_", a.District)
	inds, err3 := enumValues[commonv1.Industry](commonv1.Industry_value, "INDUSTRY_", a.Industries)
	svcs, err4 := enumValues[profilesv1.AssociationServiceKind](profilesv1.AssociationServiceKind_value, "ASSOCIATION_SERVICE_KIND_", a.Services)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, fmt.Errorf("eval: association %s: %w", a.Key, err)
	}
	return &profilesdomain.Association{
		Name: a.Name, ShortName: a.Short, Type: profilesv1.AssociationType(t), District: commonv1.District(d),
		Industries: inds, Services: svcs, JoinedProgramme: a.Joined, Description: "【评测样例数据】" + a.Description,
		Contact: profilesdomain.Contact{Name: "评测联系人", Title: "秘书长", Phone: "13800000000"}, Sample: true,
	}, nil
}

// Background firms rotate through these stages, export values (万元; -1
// for not filled in) and headcounts.
var (
	cohortStages = []commonv1.CrossBorderStage{
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND,
	}
	cohortExports   = []int64{-1, 50, 300, 800, 2000}
	cohortEmployees = []commonv1.EmployeesBand{
		commonv1.EmployeesBand_EMPLOYEES_BAND_20_TO_99, commonv1.EmployeesBand_EMPLOYEES_BAND_UNDER_20,
		commonv1.EmployeesBand_EMPLOYEES_BAND_100_TO_299,
	}
	cohortNeeds = [][]commonv1.NeedTag{
		{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_TALENT},
		{commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE},
		{commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_MARKETING},
		{commonv1.NeedTag_NEED_TAG_FINANCING, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
		{commonv1.NeedTag_NEED_TAG_MARKET_PLANNING},
	}
)

func pick[T any](xs []T, i int) T { return xs[i%len(xs)] }

func cohortFirm(c Cohort, i int, set *Set) (*profilesdomain.Firm, error) {
	district := ""
	if len(c.Districts) > 0 {
		district = pick(c.Districts, i)
	} else {
		for _, a := range set.Associations {
			if a.Key == c.Association {
				district = a.District
			}
		}
	}
	d, err1 := enumValue(commonv1.District_value, "DISTRICT_", district)
	ind, err2 := enumValue(commonv1.Industry_value, "INDUSTRY_", pick(c.Industries, i))
	ps, err3 := enumValues[commonv1.SalesPlatform](commonv1.SalesPlatform_value, "SALES_PLATFORM_", []string{pick(c.Platforms, i)})
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("eval: cohort %s: %w", c.Association, err)
	}
	stage := pick(cohortStages, i+len(c.Association))
	f := &profilesdomain.Firm{
		Name:          fmt.Sprintf("杭州%s%s%02d有限公司", strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(refdata.Label(commonv1.District(d)), "区"), "县"), "市"), c.Word, i+1),
		District:      commonv1.District(d),
		Industry:      commonv1.Industry(ind),
		MainProducts:  pick(c.Products, i) + "、" + pick(c.Products, i+1),
		Stage:         stage,
		TargetMarkets: dedupe([]string{pick(c.Markets, i), pick(c.Markets, i+1)}),
		Needs:         pick(cohortNeeds, i),
		EmployeesBand: pick(cohortEmployees, i),
		Contacts:      []profilesdomain.Contact{{Name: "评测联系人", Phone: "13800000001"}},
		Sample:        true,
	}
	if len(c.HS) > 0 {
		f.HSCodes = []string{pick(c.HS, i)}
	}
	if stage > commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING {
		f.Platforms = ps
	}
	if e := pick(cohortExports, i); e >= 0 {
		fen := e * 1_000_000
		f.AnnualExportValueFen = &fen
	}
	return f, nil
}

func queryFirm(q Query) (*profilesdomain.Firm, error) {
	var errs []error
	d, err := enumValue(commonv1.District_value, "DISTRICT_", q.District)
	errs = append(errs, err)
	ind, err := enumValue(commonv1.Industry_value, "INDUSTRY_", q.Industry)
	errs = append(errs, err)
	stage, err := enumValue(commonv1.CrossBorderStage_value, "CROSS_BORDER_STAGE_", q.Stage)
	errs = append(errs, err)
	ps, err := enumValues[commonv1.SalesPlatform](commonv1.SalesPlatform_value, "SALES_PLATFORM_", q.Platforms)
	errs = append(errs, err)
	needs, err := enumValues[commonv1.NeedTag](commonv1.NeedTag_value, "NEED_TAG_", q.Needs)
	errs = append(errs, err)
	f := &profilesdomain.Firm{
		Name: q.Name, District: commonv1.District(d), Industry: commonv1.Industry(ind), MainProducts: q.Products, HSCodes: q.HS,
		Stage: commonv1.CrossBorderStage(stage), TargetMarkets: q.Markets, Platforms: ps, Needs: needs,
		Contacts: []profilesdomain.Contact{{Name: "评测联系人", Phone: "13800000002"}}, Sample: true,
	}
	if q.Employees != "" {
		v, err := enumValue(commonv1.EmployeesBand_value, "EMPLOYEES_BAND_", q.Employees)
		errs = append(errs, err)
		f.EmployeesBand = commonv1.EmployeesBand(v)
	}
	if q.Revenue != "" {
		v, err := enumValue(commonv1.RevenueBand_value, "REVENUE_BAND_", q.Revenue)
		errs = append(errs, err)
		f.RevenueBand = commonv1.RevenueBand(v)
	}
	if q.ExportWan != nil {
		fen := *q.ExportWan * 1_000_000
		f.AnnualExportValueFen = &fen
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("eval: query firm %s: %w", q.Key, err)
	}
	return f, nil
}

// enumValue reads a lower-case enum name without its prefix.
func enumValue(values map[string]int32, prefix, s string) (int32, error) {
	v, ok := values[prefix+strings.ToUpper(s)]
	if !ok || v == 0 {
		return 0, fmt.Errorf("%q is not a value of %s*", s, prefix)
	}
	return v, nil
}

func enumValues[E ~int32](values map[string]int32, prefix string, ss []string) ([]E, error) {
	out := make([]E, 0, len(ss))
	var errs []error
	for _, s := range ss {
		v, err := enumValue(values, prefix, s)
		errs = append(errs, err)
		out = append(out, E(v))
	}
	return out, errors.Join(errs...)
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
