package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// The support policies the catalog phase publishes. Like the firms they are
// fictional: documents are numbered "〔压测〕", enquiry numbers have the form
// 0571-0000xxxx (no Chinese landline starts with 0), links point to
// example.org, and every policy carries the tag benchTag and a summary
// starting with 【压测数据】. The shapes follow the demo policies and the kinds
// of support the programme names: municipal and district funding, provincial
// and national tax and customs measures, each limited to some districts,
// industries or stages, with one to four explicit CEL criteria.

// benchTag marks every generated policy.
const benchTag = "压测数据"

// windowKind is when a generated policy takes applications.
type windowKind int

const (
	windowYearRound windowKind = iota // no application window: 常年受理
	windowOpen                        // a round open now
	windowClosed                      // a round that closed last month
	windowUpcoming                    // a round that opens next month
	numWindowKinds
)

func (k windowKind) String() string {
	return [...]string{"year-round", "open round", "closed round", "not yet open"}[k]
}

// critShape is one kind of explicit criterion.
type critShape int

const (
	shapeExportMin critShape = iota
	shapeExportMax
	shapeStageMin
	shapeNotYetSelling
	shapePlatforms
	shapePlatformCount
	shapeMarkets
	shapeEmployees
	shapeProgramme
	shapeHSChapters
	shapeScale
	shapeExporting
	shapeHSPrefix
	numShapes
)

func (s critShape) String() string {
	return [...]string{
		"export ≥", "export ≤", "stage ≥", "stage ≤ store", "platform exists", "platform count",
		"market exists", "employees band", "programme member", "HS chapters", "revenue or export", "exporting",
		"HS code prefix (CEL only)",
	}[s]
}

// shapeWeights are the relative frequencies of the shapes, roughly as the
// demo policies and the programme's documents use them.
var shapeWeights = [numShapes]int{
	shapeExportMin: 18, shapeExportMax: 5, shapeStageMin: 14, shapeNotYetSelling: 4,
	shapePlatforms: 10, shapePlatformCount: 3, shapeMarkets: 9, shapeEmployees: 9,
	shapeProgramme: 10, shapeHSChapters: 8, shapeScale: 5, shapeExporting: 6, shapeHSPrefix: 3,
}

// plannedPolicy is one generated policy with what it was made of.
type plannedPolicy struct {
	policy *catalogv1.Policy
	window windowKind
	shapes []critShape
}

// policyMix counts what a set of generated policies is made of.
type policyMix struct {
	N          int
	Levels     map[catalogv1.PolicyLevel]int
	Districts  int // limited to some districts
	Industries int
	Stages     int
	Criteria   int
	Shapes     [numShapes]int
	Windows    [numWindowKinds]int
	Capped     int
}

func mixOf(plans []plannedPolicy) policyMix {
	m := policyMix{N: len(plans), Levels: map[catalogv1.PolicyLevel]int{}}
	for _, pl := range plans {
		p := pl.policy
		m.Levels[p.GetLevel()]++
		if len(p.GetDistricts()) > 0 {
			m.Districts++
		}
		if len(p.GetIndustries()) > 0 {
			m.Industries++
		}
		if len(p.GetStages()) > 0 {
			m.Stages++
		}
		m.Criteria += len(p.GetCriteria())
		for _, s := range pl.shapes {
			m.Shapes[s]++
		}
		m.Windows[pl.window]++
		if p.GetBenefit().MaxAmountFen != nil {
			m.Capped++
		}
	}
	return m
}

// policyGen makes plausible, varied support policies.
type policyGen struct {
	r   *rand.Rand
	now time.Time
	n   int
}

func newPolicyGen(seed uint64, now time.Time) *policyGen {
	return &policyGen{r: rand.New(rand.NewPCG(seed, 0x706f6c69)), now: now.In(shanghai)} // "poli"
}

// shanghai is Asia/Shanghai (UTC+8 all year), the zone policy dates are in.
var shanghai = time.FixedZone("CST", 8*60*60)

func (g *policyGen) month(offset int) *timestamppb.Timestamp {
	t := time.Date(g.now.Year(), g.now.Month()+time.Month(offset), 1, 0, 0, 0, 0, shanghai)
	return timestamppb.New(t)
}

func (g *policyGen) year(offset int) *timestamppb.Timestamp {
	return timestamppb.New(time.Date(g.now.Year()+offset, time.January, 1, 0, 0, 0, 0, shanghai))
}

// The categories with the titles, benefits and criteria that go with them.
type categoryKind struct {
	cat    catalogv1.PolicyCategory
	titles []string
	// benefit is the benefit's wording with %d for the cap in 万元 (and
	// %d%% for the rate when rate is set).
	benefit string
	rate    []int32 // basis points; empty: no rate
	caps    []int64 // 万元; empty: no cap
	first   []critShape
}

var categoryKinds = []categoryKind{
	{catalogv1.PolicyCategory_POLICY_CATEGORY_FUNDING,
		[]string{"跨境电商出口规模奖励", "跨境电商出口增量奖励", "跨境电商首单奖励", "外贸企业转型跨境电商补助", "跨境电商重点企业培育奖励"},
		"按上年跨境电商出口额的%d%%给予奖励，单个企业最高%d万元。", []int32{100, 200, 300}, []int64{20, 50, 100, 200, 300, 500},
		[]critShape{shapeExportMin, shapeScale, shapeExporting}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_TAX,
		[]string{"跨境电商零售出口“无票免税”", "跨境电商综试区企业所得税核定征收", "出口退（免）税便利化", "跨境电商出口海外仓退税"},
		"", nil, nil,
		[]critShape{shapeExporting, shapeStageMin}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_FINANCING,
		[]string{"小微外贸企业贷款贴息", "跨境电商“信保+担保”融资支持", "出口订单融资风险补偿", "跨境电商供应链金融贴息"},
		"按实际支付利息的%d%%给予贴息，单个企业每年最高%d万元。", []int32{3000, 5000}, []int64{20, 50, 100},
		[]critShape{shapeExportMax, shapeEmployees, shapeExportMin}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_CREDIT_INSURANCE,
		[]string{"出口信用保险保费补助", "小微企业出口信用保险统保", "跨境电商B2B出口信保支持"},
		"按实缴保费的%d%%给予补助，单个企业每年最高%d万元。", []int32{4000, 5000, 6000}, []int64{10, 15, 20, 30},
		[]critShape{shapeExporting, shapeExportMax}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_TALENT,
		[]string{"跨境电商人才培训补贴", "跨境电商运营人才引进奖励", "跨境电商直播人才实训补贴"},
		"按每人2000元给予补贴，单个企业每年最高%d万元。", nil, []int64{3, 5, 10},
		[]critShape{shapeProgramme, shapeEmployees}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE,
		[]string{"海外仓建设与租用补助", "跨境电商物流专线补助", "公共海外仓服务能力提升奖励"},
		"按年租金或建设投入的%d%%给予补助，单个企业最高%d万元。", []int32{2000, 3000}, []int64{50, 100, 200},
		[]critShape{shapeExportMin, shapeMarkets, shapeStageMin}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_BRAND_EXHIBITION,
		[]string{"境外展会参展补助", "自主品牌出海奖励", "跨境电商独立站建设推广补助", "“一区一品”产业带品牌出海补助"},
		"按展位费和推广投入的%d%%给予补助，单个企业最高%d万元。", []int32{5000, 7000}, []int64{5, 10, 20, 30},
		[]critShape{shapeMarkets, shapePlatforms, shapeHSChapters}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_PLATFORM_ONBOARDING,
		[]string{"首次入驻跨境电商平台开店补助", "新兴市场平台开店奖励", "跨境电商平台年费补助"},
		"按首年开店服务费用的%d%%给予补助，单个企业最高%d万元。", []int32{3000, 5000}, []int64{2, 3, 5},
		[]critShape{shapeNotYetSelling, shapePlatforms, shapePlatformCount}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_CUSTOMS_FACILITATION,
		[]string{"跨境电商B2B出口（9710/9810）通关便利", "跨境电商出口退货监管便利", "跨境电商收结汇便利化"},
		"", nil, nil,
		[]critShape{shapeExporting, shapeHSChapters, shapeHSPrefix}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_COMPLIANCE_IP,
		[]string{"境外商标注册补助", "境外知识产权维权补助", "欧盟产品合规认证费用补助"},
		"按官方规费和认证费用的%d%%给予补助，单个企业每年最高%d万元。", []int32{5000, 7000}, []int64{5, 10, 20},
		[]critShape{shapeStageMin, shapeMarkets, shapeHSChapters}},
	{catalogv1.PolicyCategory_POLICY_CATEGORY_PARK_SPACE,
		[]string{"跨境电商园区入驻租金补贴", "跨境电商孵化基地场地补助"},
		"按实际租金的%d%%给予补贴，单个企业每年最高%d万元。", []int32{3000, 5000}, []int64{5, 10, 20},
		[]critShape{shapeEmployees, shapeStageMin}},
}

// categoryWeights favour funding, as the programme's documents do.
var categoryWeights = []int{24, 8, 9, 8, 8, 8, 10, 8, 5, 6, 6}

var (
	nationalIssuers   = []string{"财政部、商务部", "国家税务总局", "海关总署", "国家外汇管理局", "商务部"}
	provincialIssuers = []string{"浙江省商务厅", "浙江省商务厅、浙江省财政厅", "浙江省人力资源和社会保障厅", "浙江省市场监督管理局"}
	municipalIssuers  = []string{"杭州市商务局", "杭州市商务局、杭州市财政局", "杭州市人力资源和社会保障局", "杭州市市场监督管理局（杭州市知识产权局）"}
	districtIssuers   = []string{"%s商务局", "%s人民政府", "%s经济和信息化局"}
)

// Market and HS chapter groups the criteria draw from.
var (
	marketGroups = []struct {
		name  string
		codes []string
	}{
		{"欧美日韩", []string{"US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "JP", "KR"}},
		{"“一带一路”沿线", []string{"RU", "KZ", "UZ", "VN", "TH", "MY", "ID", "SA", "AE", "TR", "PL"}},
		{"东盟", []string{"SG", "MY", "TH", "VN", "ID", "PH"}},
		{"拉美", []string{"BR", "MX", "CL", "CO", "PE"}},
		{"中东", []string{"SA", "AE", "QA", "KW", "TR"}},
	}
	chapterGroups = []struct {
		name     string
		chapters []string
	}{
		{"纺织服装（第61、62、63章）", []string{"61", "62", "63"}},
		{"机电产品（第84、85章）", []string{"84", "85"}},
		{"汽车零部件（第87章）", []string{"87"}},
		{"家具家居（第94章）", []string{"94"}},
		{"文体用品（第95、96章）", []string{"95", "96"}},
		{"茶叶食品（第09、20、21章）", []string{"09", "20", "21"}},
		{"美妆日化（第33章）", []string{"33"}},
		{"五金工具（第82章）", []string{"82", "73"}},
	}
	hsPrefixes = []struct{ name, prefix string }{
		{"女式服装", "6204"}, {"针织T恤", "6109"}, {"羽绒制品", "9404"}, {"蓝牙耳机", "8518"}, {"储能电源", "8507"}, {"茶叶", "0902"},
	}
	platformGroups = []struct {
		name      string
		platforms []commonv1.SalesPlatform
	}{
		{"亚马逊、速卖通或阿里巴巴国际站", []commonv1.SalesPlatform{amazon, aliexpress, alibaba}},
		{"Temu、SHEIN或TikTok Shop", []commonv1.SalesPlatform{temu, shein, tiktok}},
		{"Shopee或Lazada", []commonv1.SalesPlatform{shopee, lazada}},
		{"Ozon或美客多", []commonv1.SalesPlatform{ozon, mercado}},
		{"自营独立站", []commonv1.SalesPlatform{ownSite}},
		{"亚马逊或沃尔玛", []commonv1.SalesPlatform{amazon, walmart}},
	}
)

func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// criterion builds one explicit criterion of a shape.
func (g *policyGen) criterion(s critShape) *catalogv1.Criterion {
	r := g.r
	c := func(d, x string) *catalogv1.Criterion { return &catalogv1.Criterion{Description: d, Expression: x} }
	switch s {
	case shapeExportMin:
		v := pick(r, []int{50, 100, 200, 300, 500, 500, 800, 1000, 1000, 2000, 3000, 5000})
		return c(fmt.Sprintf("上年出口额不低于%d万元", v), fmt.Sprintf("facts.annual_export_value_wan_yuan >= %d", v))
	case shapeExportMax:
		v := pick(r, []int{500, 1000, 2000, 5000, 10000})
		return c(fmt.Sprintf("上年出口额不超过%d万元", v), fmt.Sprintf("facts.annual_export_value_wan_yuan <= %d", v))
	case shapeStageMin:
		st := pick(r, []commonv1.CrossBorderStage{
			commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
			commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS,
		})
		return c("跨境电商发展阶段达到“"+refdata.Label(st)+"”", "firm.stage >= CrossBorderStage."+st.String())
	case shapeNotYetSelling:
		return c("尚未实现跨境电商出单", "firm.stage <= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_STORE_OPENED")
	case shapePlatforms:
		pg := pick(r, platformGroups)
		names := make([]string, len(pg.platforms))
		for i, p := range pg.platforms {
			names[i] = "SalesPlatform." + p.String()
		}
		if len(names) == 1 {
			return c("已在"+pg.name+"开设店铺", names[0]+" in firm.platforms")
		}
		return c("已在"+pg.name+"开设店铺", "firm.platforms.exists(p, p in ["+strings.Join(names, ", ")+"])")
	case shapePlatformCount:
		n := 2 + r.IntN(2)
		return c(fmt.Sprintf("已在%d个及以上跨境电商平台开设店铺", n), fmt.Sprintf("size(firm.platforms) >= %d", n))
	case shapeMarkets:
		mg := pick(r, marketGroups)
		q := make([]string, len(mg.codes))
		for i, m := range mg.codes {
			q[i] = "'" + m + "'"
		}
		return c("目标市场包括"+mg.name+"国家或地区", "firm.target_markets.exists(m, m in ["+strings.Join(q, ", ")+"])")
	case shapeEmployees:
		switch r.IntN(3) {
		case 0:
			return c("员工人数300人以下的中小微企业", "firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_100_TO_299")
		case 1:
			return c("员工人数100人以下的小微企业", "firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_20_TO_99")
		default:
			return c("员工人数20至999人", "firm.employees_band >= EmployeesBand.EMPLOYEES_BAND_20_TO_99 && firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_300_TO_999")
		}
	case shapeProgramme:
		return c("为加入“百社千企 跨境启航”行动的协会的会员企业", "facts.programme_member")
	case shapeHSChapters:
		cg := pick(r, chapterGroups)
		q := make([]string, len(cg.chapters))
		for i, ch := range cg.chapters {
			q[i] = "'" + ch + "'"
		}
		return c("出口商品属"+cg.name, "facts.hs_chapters.exists(c, c in ["+strings.Join(q, ", ")+"])")
	case shapeScale:
		v := pick(r, []int{500, 1000, 2000})
		return c(fmt.Sprintf("营业收入2000万元以上，或上年出口额不低于%d万元", v),
			fmt.Sprintf("firm.revenue_band >= RevenueBand.REVENUE_BAND_20M_TO_100M || facts.annual_export_value_wan_yuan >= %d", v))
	case shapeExporting:
		return c("已开展跨境电商出口业务（已出单）", "facts.exporting")
	case shapeHSPrefix:
		hp := pick(r, hsPrefixes)
		return c("出口商品包括"+hp.name+"（HS编码"+hp.prefix+"）", "firm.hs_codes.exists(c, c.startsWith('"+hp.prefix+"'))")
	}
	panic(fmt.Sprintf("bench: unknown criterion shape %d", s))
}

// next returns the next policy.
func (g *policyGen) next() plannedPolicy {
	r := g.r
	g.n++
	kind := categoryKinds[weighted(r, categoryWeights)]
	p := &catalogv1.Policy{Categories: []catalogv1.PolicyCategory{kind.cat}}
	if r.IntN(10) < 3 {
		second := categoryKinds[weighted(r, categoryWeights)].cat
		if second != kind.cat {
			p.Categories = append(p.Categories, second)
		}
	}

	// Level, issuer and districts.
	var scope string
	switch x := r.IntN(20); {
	case x < 1:
		p.Level, p.Issuer = catalogv1.PolicyLevel_POLICY_LEVEL_NATIONAL, pick(r, nationalIssuers)
	case x < 4:
		p.Level, p.Issuer = catalogv1.PolicyLevel_POLICY_LEVEL_PROVINCIAL, pick(r, provincialIssuers)
		scope = "浙江省"
	case x < 10:
		p.Level, p.Issuer = catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL, pick(r, municipalIssuers)
		scope = "杭州市"
		if r.IntN(10) < 3 { // a municipal measure for a few districts
			for _, k := range r.Perm(len(benchDistricts))[:2+r.IntN(3)] {
				p.Districts = append(p.Districts, benchDistricts[k].d)
			}
		}
	default:
		d := pick(r, benchDistricts)
		p.Level, p.Districts = catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT, []commonv1.District{d.d}
		p.Issuer = fmt.Sprintf(pick(r, districtIssuers), refdata.Label(d.d))
		scope = refdata.Label(d.d)
	}
	// Industries: district belt measures most often.
	indShare := 2
	if p.Level == catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT {
		indShare = 4
	}
	if r.IntN(10) < indShare {
		for _, k := range r.Perm(len(trades))[:1+r.IntN(3)] {
			p.Industries = append(p.Industries, trades[k].industry)
		}
	}
	// Stages.
	if r.IntN(10) < 2 {
		p.Stages = pick(r, [][]commonv1.CrossBorderStage{
			{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING},
			{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED},
			{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER},
			{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND},
			{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND},
		})
	}

	// One to four explicit criteria: the category's typical one first,
	// then others, no shape twice.
	n := 1 + weighted(r, []int{3, 4, 2, 1})
	shapes := []critShape{pick(r, kind.first)}
	for len(shapes) < n {
		s := critShape(weighted(r, shapeWeights[:]))
		dup := false
		for _, t := range shapes {
			dup = dup || t == s
		}
		if !dup {
			shapes = append(shapes, s)
		}
	}
	for _, s := range shapes {
		p.Criteria = append(p.Criteria, g.criterion(s))
	}

	// Benefit.
	b := &catalogv1.Benefit{}
	switch {
	case len(kind.caps) > 0 && len(kind.rate) > 0:
		capWan, rate := pick(r, kind.caps), pick(r, kind.rate)
		b.Description = fmt.Sprintf(kind.benefit, rate/100, capWan)
		b.MaxAmountFen, b.RateBasisPoints = ptr(capWan*1_000_000), ptr(rate)
	case len(kind.caps) > 0:
		capWan := pick(r, kind.caps)
		b.Description = fmt.Sprintf(kind.benefit, capWan)
		b.MaxAmountFen = ptr(capWan * 1_000_000)
	default:
		b.Description = "按规定享受相关税收或通关便利措施，不涉及资金拨付。"
	}
	p.Benefit = b

	// Validity and application window.
	if r.IntN(5) == 0 {
		p.Validity = &commonv1.TimeWindow{StartTime: g.year(-1 - r.IntN(3))}
	} else {
		p.Validity = &commonv1.TimeWindow{StartTime: g.year(-1), EndTime: g.year(2 + r.IntN(2))}
	}
	var window windowKind
	switch x := r.IntN(20); {
	case x < 3:
		window = windowClosed
		p.ApplicationWindow = &commonv1.TimeWindow{StartTime: g.month(-4), EndTime: g.month(-1)}
	case x < 5:
		window = windowUpcoming
		p.ApplicationWindow = &commonv1.TimeWindow{StartTime: g.month(2), EndTime: g.month(5)}
	case x < 12:
		window = windowOpen
		p.ApplicationWindow = &commonv1.TimeWindow{StartTime: g.month(-2), EndTime: g.month(3)}
	default:
		window = windowYearRound
	}

	// Text.
	title := pick(r, kind.titles)
	round := fmt.Sprintf("%d年度第%d批", g.now.Year(), 1+g.n%4)
	if scope != "" {
		p.Title = fmt.Sprintf("%s%s（%s）", scope, title, round)
	} else {
		p.Title = fmt.Sprintf("%s（%s）", title, round)
	}
	var conds []string
	for _, c := range p.GetCriteria() {
		conds = append(conds, c.GetDescription())
	}
	p.Summary = fmt.Sprintf("【%s】%s发布的%s：%s。%s", benchTag, p.Issuer, title, strings.Join(conds, "；"), b.Description)
	p.HowToApply = "企业登录杭州市跨境电商公共服务平台（压测）在线填报申报书，上传营业执照、上年度出口报关单或平台后台报表等证明材料，经所在区县商务部门初审后报主管部门复核。"
	p.FullText = g.fullText(p, title, conds)
	p.ApplyUrl = fmt.Sprintf("https://apply.example.org/policies/%d", g.n)
	p.EnquiryContact = fmt.Sprintf("%s（压测） 0571-0000%04d", strings.Split(p.Issuer, "、")[0], r.IntN(10_000))
	p.Source = &catalogv1.PolicySource{
		DocumentTitle:  fmt.Sprintf("关于印发《%s实施细则》的通知（压测）", title),
		DocumentNumber: fmt.Sprintf("杭商务〔压测〕%d号", g.n),
		Url:            fmt.Sprintf("https://www.example.org/documents/%d", g.n),
		IssueTime:      g.month(-3 - r.IntN(9)),
	}
	p.Tags = []string{benchTag, refdata.Label(kind.cat)}
	if r.IntN(3) == 0 {
		p.Tags = append(p.Tags, pick(r, []string{"首次出单", "小微企业", "海外仓", "品牌出海", "百社千企", "综试区", "一区一品"}))
	}
	return plannedPolicy{policy: p, window: window, shapes: shapes}
}

// fullText writes the articles of a policy: purpose, who qualifies, what is
// given, how to apply, about 600–900 characters like a short 实施细则.
func (g *policyGen) fullText(p *catalogv1.Policy, title string, conds []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【%s】本文件为性能测试生成的虚构政策，不具任何效力。\n\n", benchTag)
	fmt.Fprintf(&b, "第一条 为贯彻落实“百社千企 跨境启航”行动，加快跨境电子商务高质量发展，支持企业拓展国际市场，结合实际，制定%s实施细则。\n\n", title)
	b.WriteString("第二条 支持对象须同时符合下列条件：\n")
	for i, c := range conds {
		fmt.Fprintf(&b, "（%s）%s；\n", chineseNumber(i+1), c)
	}
	if len(p.GetDistricts()) > 0 {
		var ds []string
		for _, d := range p.GetDistricts() {
			ds = append(ds, refdata.Label(d))
		}
		fmt.Fprintf(&b, "（%s）工商注册和税务登记地在%s；\n", chineseNumber(len(conds)+1), strings.Join(ds, "、"))
	}
	b.WriteString("（其他）近三年未发生重大安全生产、环境污染事故，无严重失信行为。\n\n")
	fmt.Fprintf(&b, "第三条 支持标准：%s同一企业同一年度同类事项不重复享受市、区两级政策。\n\n", p.GetBenefit().GetDescription())
	fmt.Fprintf(&b, "第四条 申报程序：%s\n\n", p.GetHowToApply())
	b.WriteString("第五条 企业对申报材料的真实性负责。弄虚作假、骗取资金的，追回已拨付资金，取消三年内申报资格，并依法依规处理。\n\n")
	fmt.Fprintf(&b, "第六条 本细则由%s负责解释，自发布之日起施行。", p.GetIssuer())
	return b.String()
}

func chineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n >= 0 && n < len(digits) {
		return digits[n]
	}
	return fmt.Sprint(n)
}

func ptr[T any](v T) *T { return &v }
