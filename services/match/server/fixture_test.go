package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/server"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
)

// runService builds a match service over engine, following the harness's
// profiles and catalog, and runs its sync until the test ends. With wait it
// returns once every index has had its first build. The harness's gRPC
// server answers with it after h.cur.Store.
func (h *harness) runService(t *testing.T, engine index.Engine, wait bool) *server.Service {
	t.Helper()
	svc := server.New(engine, server.Conns{Profiles: h.conn, Catalog: h.conn}, auth.NewServiceTokens(h.issuer, "match"),
		server.Options{Sync: syncOpts(), Logger: h.logger})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	if wait {
		wctx, wcancel := context.WithTimeout(t.Context(), time.Minute)
		defer wcancel()
		if err := svc.Syncer.WaitReady(wctx); err != nil {
			t.Fatalf("first index build on %s: %v", engine.Name(), err)
		}
	}
	return svc
}

// createAssociation registers a as the system, with a fresh USCC and a
// contact whose phone must never reach a match result.
func (h *harness) createAssociation(t *testing.T, a profilesdomain.Association) string {
	t.Helper()
	a.USCC = validUSCC(t, "51330100", h.next())
	if a.Type == 0 {
		a.Type = profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION
	}
	a.Contact = profilesdomain.Contact{Name: "王丽", Title: "秘书长", Phone: "13800001234"}
	v, err := h.profiles.App.CreateAssociation(h.system, &a)
	if err != nil {
		t.Fatalf("fixture association %s: %v", a.Name, err)
	}
	return v.ID
}

// createBelt creates b as the system.
func (h *harness) createBelt(t *testing.T, b *catalogv1.IndustryBelt) string {
	t.Helper()
	if b.Status == 0 {
		b.Status = catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED
	}
	got, err := h.catalog.App.CreateIndustryBelt(h.system, b)
	if err != nil {
		t.Fatalf("fixture belt %s: %v", b.GetBrandName(), err)
	}
	return got.GetId()
}

// createPolicy creates p as the system (in force from a year ago to a year
// from now unless p says otherwise) and brings it to st: DRAFT, PUBLISHED,
// WITHDRAWN or EXPIRED.
func (h *harness) createPolicy(t *testing.T, p *catalogv1.Policy, st catalogv1.PolicyStatus) string {
	t.Helper()
	now := time.Now()
	if p.Validity == nil {
		p.Validity = &commonv1.TimeWindow{StartTime: timestamppb.New(now.AddDate(-1, 0, 0)), EndTime: timestamppb.New(now.AddDate(1, 0, 0))}
	}
	if p.Issuer == "" {
		p.Issuer = "杭州市商务局"
	}
	if p.FullText == "" {
		p.FullText = "第一条 为支持企业发展，制定本办法。"
	}
	a := h.catalog.App
	got, err := a.CreatePolicy(h.system, p, false)
	if err != nil {
		t.Fatalf("fixture policy %s: %v", p.GetTitle(), err)
	}
	if st == catalogv1.PolicyStatus_POLICY_STATUS_DRAFT {
		return got.GetId()
	}
	if got, err = a.PublishPolicy(h.system, got.GetId(), got.GetEtag(), "测试：发布"); err != nil {
		t.Fatalf("fixture policy %s: publish: %v", p.GetTitle(), err)
	}
	switch st {
	case catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN:
		if _, err = a.WithdrawPolicy(h.system, got.GetId(), got.GetEtag(), "测试：撤回"); err != nil {
			t.Fatalf("fixture policy %s: withdraw: %v", p.GetTitle(), err)
		}
	case catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED:
		patch := &catalogv1.Policy{Id: got.GetId(), Etag: got.GetEtag(), Validity: &commonv1.TimeWindow{
			StartTime: timestamppb.New(now.AddDate(-2, 0, 0)), EndTime: timestamppb.New(now.AddDate(0, 0, -1)),
		}}
		if _, err = a.UpdatePolicy(h.system, patch, []string{"validity"}, "测试：实施期限已结束", false); err != nil {
			t.Fatalf("fixture policy %s: end validity: %v", p.GetTitle(), err)
		}
	}
	return got.GetId()
}

// matchFixture is the labelled data of the matching tests, on top of the
// harness's assocA (XIAOSHAN apparel) with firmA and assocB (XIHU apparel)
// with firmB. The subject is firm: a XIAOSHAN down-apparel firm, member of
// assocA, HS 620193/620113, selling on Amazon to the US and Germany, needing
// logistics and an overseas warehouse.
type matchFixture struct {
	firm     string // the subject
	member   string // down-products firm of assocC, exporting to US and JP
	prospect string // XIHU apparel firm with an export base, in no association

	// Associations besides assocA/assocB.
	assocC string // SHANGCHENG, down products + apparel, logistics linkage, joined, carries beltXS
	assocD string // XIAOSHAN, furniture, training: shares only the district
	assocE string // XIHU chamber of commerce, digital hardware, logistics linkage: its services alone fit

	beltXS       string // 萧山羽绒: XIAOSHAN, down products, chapters 62 and 94
	beltXH       string // 西湖针织服饰: XIHU, apparel, chapters 61 and 62
	beltTL       string // 桐庐制笔: TONGLU, writing instruments, chapter 96
	beltAuto     string // 萧山汽配: XIAOSHAN, auto parts, chapter 87 (district only)
	beltArchived string // an archived XIAOSHAN down belt

	polEligible    string // city-wide logistics/warehouse, stage criterion met: ELIGIBLE
	polLikely      string // XIAOSHAN funding, export value unknown: LIKELY
	polNotEligible string // city-wide talent, stage criterion failed: NOT_ELIGIBLE
	polOtherDist   string // XIHU only
	polWithdrawn   string
	polExpired     string // XIAOSHAN, validity ended yesterday
	polDraft       string
}

// Counts of the fixture's objects, harness objects included.
const (
	fixtureFirms        = 5 // firmA, firmB, firm, member, prospect
	fixtureAssociations = 5 // assocA..assocE
	fixturePolicies     = 7
	fixtureBelts        = 5
)

func buildMatchFixture(t *testing.T, h *harness) *matchFixture {
	t.Helper()
	fx := &matchFixture{}
	xs, xh := commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU
	down, apparel := commonv1.Industry_INDUSTRY_DOWN_PRODUCTS, commonv1.Industry_INDUSTRY_APPAREL
	amazon := commonv1.SalesPlatform_SALES_PLATFORM_AMAZON

	fx.assocC = h.createAssociation(t, profilesdomain.Association{
		Name: "杭州市羽绒服饰进出口商会", District: commonv1.District_DISTRICT_SHANGCHENG, Industries: []commonv1.Industry{down, apparel},
		Services:        []profilesv1.AssociationServiceKind{profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LOGISTICS_LINKAGE},
		JoinedProgramme: true, Description: "组织会员企业开拓国际市场。",
	})
	fx.assocD = h.createAssociation(t, profilesdomain.Association{
		Name: "萧山区家具行业协会", District: xs, Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_FURNITURE_HOME},
		Services:    []profilesv1.AssociationServiceKind{profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRAINING},
		Description: "服务区内家具企业。",
	})
	fx.assocE = h.createAssociation(t, profilesdomain.Association{
		Name: "西湖区数码硬件商会", Type: profilesv1.AssociationType_ASSOCIATION_TYPE_CHAMBER_OF_COMMERCE,
		District: xh, Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_DIGITAL_HARDWARE},
		Services: []profilesv1.AssociationServiceKind{
			profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_MARKET_RESEARCH,
			profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LOGISTICS_LINKAGE,
		},
		JoinedProgramme: true, Description: "数码硬件企业的交流平台。",
	})

	fx.firm = h.newFirm(t, firmSpec{
		name: "杭州萧山启航羽绒服饰有限公司", district: xs, industry: down, assoc: h.assocA, products: "羽绒服、羽绒马甲",
		hs: []string{"620193", "620113"}, markets: []string{"US", "DE"}, platforms: []commonv1.SalesPlatform{amazon},
		needs: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE},
	})
	fx.member = h.newFirm(t, firmSpec{
		name: "杭州上城暖羽制品有限公司", district: commonv1.District_DISTRICT_SHANGCHENG, industry: down, assoc: fx.assocC,
		products: "羽绒被、羽绒枕", hs: []string{"940490"}, markets: []string{"US", "JP"},
		stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS,
	})
	fx.prospect = h.newFirm(t, firmSpec{
		name: "杭州西湖织锦服装有限公司", district: xh, industry: apparel, products: "针织衫、连衣裙", hs: []string{"611020"},
		markets: []string{"US"}, stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING, exportFen: 300_000_000,
		needs: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_TALENT},
	})

	fx.beltXS = h.createBelt(t, &catalogv1.IndustryBelt{
		District: xs, Industry: down, BrandName: "萧山羽绒", Description: "萧山新塘一带的羽绒制品集群。",
		KeyProducts: []string{"羽绒服", "羽绒被"}, HsChapters: []string{"62", "94"}, TargetMarkets: []string{"US", "DE"},
		AnchorPlatforms: []commonv1.SalesPlatform{amazon}, AssociationIds: []string{fx.assocC},
	})
	fx.beltXH = h.createBelt(t, &catalogv1.IndustryBelt{
		District: xh, Industry: apparel, BrandName: "西湖针织服饰", Description: "针织服饰设计与加工。",
		KeyProducts: []string{"针织衫", "连衣裙"}, HsChapters: []string{"61", "62"}, TargetMarkets: []string{"US", "GB"},
		AnchorPlatforms: []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_SHEIN},
	})
	fx.beltTL = h.createBelt(t, &catalogv1.IndustryBelt{
		District: commonv1.District_DISTRICT_TONGLU, Industry: commonv1.Industry_INDUSTRY_WRITING_INSTRUMENTS, BrandName: "桐庐制笔",
		Description: "分水镇的制笔产业。", KeyProducts: []string{"中性笔", "笔芯"}, HsChapters: []string{"96"},
		TargetMarkets: []string{"US"}, AnchorPlatforms: []commonv1.SalesPlatform{amazon},
	})
	fx.beltAuto = h.createBelt(t, &catalogv1.IndustryBelt{
		District: xs, Industry: commonv1.Industry_INDUSTRY_AUTO_PARTS, BrandName: "萧山汽配", Description: "汽车零部件产业。",
		KeyProducts: []string{"刹车片", "轮毂"}, HsChapters: []string{"87"}, TargetMarkets: []string{"MX"},
	})
	fx.beltArchived = h.createBelt(t, &catalogv1.IndustryBelt{
		District: xs, Industry: down, BrandName: "萧山羽绒旧版", Description: "已归档。",
		KeyProducts: []string{"羽绒服"}, HsChapters: []string{"62"}, Status: catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_ARCHIVED,
	})

	fen := func(v int64) *int64 { return &v }
	stageAtLeast := func(s commonv1.CrossBorderStage) []*catalogv1.Criterion {
		return []*catalogv1.Criterion{{Description: "跨境电商发展阶段达标", Expression: "firm.stage >= CrossBorderStage." + s.String()}}
	}
	published := catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED
	municipal, district := catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL, catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT
	fx.polEligible = h.createPolicy(t, &catalogv1.Policy{
		Title: "海外仓与物流费用补助", Level: municipal, Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE},
		Summary: "支持企业开展跨境电商，租用海外仓按费用给予补助。", Benefit: &catalogv1.Benefit{Description: "最高补助50万元", MaxAmountFen: fen(50_000_000)},
		Criteria: stageAtLeast(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER),
	}, published)
	fx.polLikely = h.createPolicy(t, &catalogv1.Policy{
		Title: "萧山区外贸企业转型奖励", Level: district, Districts: []commonv1.District{xs},
		Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_FUNDING},
		Summary:    "对上年出口额达到规模的企业给予一次性奖励。", Benefit: &catalogv1.Benefit{Description: "一次性奖励20万元", MaxAmountFen: fen(20_000_000)},
		Criteria: []*catalogv1.Criterion{{Description: "上年出口额不低于500万元", Expression: "facts.annual_export_value_wan_yuan >= 500"}},
	}, published)
	fx.polNotEligible = h.createPolicy(t, &catalogv1.Policy{
		Title: "外贸人才引进补贴", Level: municipal, Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_TALENT},
		Summary: "引进外贸运营人才的企业可申请补贴。", Benefit: &catalogv1.Benefit{Description: "每人补贴1万元", MaxAmountFen: fen(1_000_000)},
		Criteria: stageAtLeast(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS),
	}, published)
	fx.polOtherDist = h.createPolicy(t, &catalogv1.Policy{
		Title: "西湖区品牌出海奖励", Level: district, Districts: []commonv1.District{xh},
		Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_BRAND_EXHIBITION},
		Summary:    "西湖区企业参加境外展会给予奖励。", Criteria: stageAtLeast(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE),
	}, published)
	fx.polWithdrawn = h.createPolicy(t, &catalogv1.Policy{
		Title: "物流专线补贴（已撤回）", Level: municipal, Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE},
		Summary: "该政策已撤回。", Criteria: stageAtLeast(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE),
	}, catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN)
	fx.polExpired = h.createPolicy(t, &catalogv1.Policy{
		Title: "萧山区海外仓奖励（已到期）", Level: district, Districts: []commonv1.District{xs},
		Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE},
		Summary:    "实施期限已结束。", Criteria: stageAtLeast(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE),
	}, catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED)
	fx.polDraft = h.createPolicy(t, &catalogv1.Policy{
		Title: "出口信用保险补助（草稿）", Level: municipal, Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_CREDIT_INSURANCE},
		Summary: "草稿。", Criteria: stageAtLeast(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE),
	}, catalogv1.PolicyStatus_POLICY_STATUS_DRAFT)
	return fx
}

// names maps the fixture's ids to readable labels for failure messages.
func (fx *matchFixture) names(h *harness) map[string]string {
	return map[string]string{
		h.firmA: "firmA", h.firmB: "firmB", fx.firm: "firm", fx.member: "member", fx.prospect: "prospect",
		h.assocA: "assocA", h.assocB: "assocB", fx.assocC: "assocC", fx.assocD: "assocD", fx.assocE: "assocE",
		fx.beltXS: "beltXS", fx.beltXH: "beltXH", fx.beltTL: "beltTL", fx.beltAuto: "beltAuto", fx.beltArchived: "beltArchived",
		fx.polEligible: "polEligible", fx.polLikely: "polLikely", fx.polNotEligible: "polNotEligible",
		fx.polOtherDist: "polOtherDist", fx.polWithdrawn: "polWithdrawn", fx.polExpired: "polExpired", fx.polDraft: "polDraft",
	}
}

// label returns the fixture name of id, or id itself.
func (fx *matchFixture) label(h *harness, ids ...string) []string {
	n := fx.names(h)
	out := make([]string, len(ids))
	for i, id := range ids {
		if l, ok := n[id]; ok {
			out[i] = l
		} else {
			out[i] = fmt.Sprintf("?%s", id)
		}
	}
	return out
}
