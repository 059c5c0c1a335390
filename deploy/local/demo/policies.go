package demo

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// The demo support policies. Everything here is fictional: the titles
// follow the kinds of support the programme names, but the documents, their
// numbers ("杭商务〔演示〕3号" — no real 文号 carries "演示"), amounts and
// offices are invented; enquiry numbers have the form 0571-0000xxxx, which
// no Chinese landline has (local numbers never start with 0); links point
// to example.org. Every policy carries the tag DemoTag, and its summary and
// full text start with 【演示数据】.
//
// Dates are relative to the year of loading, so a fresh install always has
// current policies, a couple that have expired, one not yet in force, open
// application rounds and a closed one.

// DemoTag is the tag every demo policy carries; LoadCatalog recognises its
// own policies by it.
const DemoTag = "演示数据"

// demoMark starts every demo summary, full text and belt description.
const demoMark = "【演示数据】"

// shanghai is Asia/Shanghai (UTC+8 all year), the zone policy dates are in.
var shanghai = time.FixedZone("CST", 8*60*60)

// calendar turns "last year", "this round" and the like into dates relative
// to the day of loading.
type calendar struct {
	year  int
	month time.Month
}

func newCalendar(now time.Time) calendar {
	t := now.In(shanghai)
	return calendar{year: t.Year(), month: t.Month()}
}

func midnight(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }

// years is the window from 1 January of year+from through 31 December of
// year+to.
func (c calendar) years(from, to int) *commonv1.TimeWindow {
	return &commonv1.TimeWindow{
		StartTime: timestamppb.New(midnight(c.year+from, time.January, 1)),
		EndTime:   timestamppb.New(midnight(c.year+to+1, time.January, 1)),
	}
}

// since is an open-ended window from 1 January of year+from.
func (c calendar) since(from int) *commonv1.TimeWindow {
	return &commonv1.TimeWindow{StartTime: timestamppb.New(midnight(c.year+from, time.January, 1))}
}

// months is the window from the first day of month+from to the first day of
// month+to (exclusive), counted from the current month.
func (c calendar) months(from, to int) *commonv1.TimeWindow {
	return &commonv1.TimeWindow{
		StartTime: timestamppb.New(midnight(c.year, c.month+time.Month(from), 1)),
		EndTime:   timestamppb.New(midnight(c.year, c.month+time.Month(to), 1)),
	}
}

// wan converts 万元 to fen.
func wan(n int64) *int64 {
	fen := n * 1_000_000
	return &fen
}

func bp(n int32) *int32 { return &n }

// Shorthands for the policy table.
const (
	national   = catalogv1.PolicyLevel_POLICY_LEVEL_NATIONAL
	provincial = catalogv1.PolicyLevel_POLICY_LEVEL_PROVINCIAL
	municipal  = catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL
	districtLv = catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT

	catFunding     = catalogv1.PolicyCategory_POLICY_CATEGORY_FUNDING
	catTax         = catalogv1.PolicyCategory_POLICY_CATEGORY_TAX
	catFinancing   = catalogv1.PolicyCategory_POLICY_CATEGORY_FINANCING
	catInsurance   = catalogv1.PolicyCategory_POLICY_CATEGORY_CREDIT_INSURANCE
	catTalent      = catalogv1.PolicyCategory_POLICY_CATEGORY_TALENT
	catWarehouse   = catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE
	catBrand       = catalogv1.PolicyCategory_POLICY_CATEGORY_BRAND_EXHIBITION
	catOnboarding  = catalogv1.PolicyCategory_POLICY_CATEGORY_PLATFORM_ONBOARDING
	catCustoms     = catalogv1.PolicyCategory_POLICY_CATEGORY_CUSTOMS_FACILITATION
	catCompliance  = catalogv1.PolicyCategory_POLICY_CATEGORY_COMPLIANCE_IP
	catParkSpace   = catalogv1.PolicyCategory_POLICY_CATEGORY_PARK_SPACE
	statusDraft    = catalogv1.PolicyStatus_POLICY_STATUS_DRAFT
	statusPublish  = catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED
	statusExpired  = catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED
	statusWithdraw = catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN
)

// Stage shorthands.
const (
	stageNone      = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE
	stageExploring = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING
	stageStore     = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED
	stageOrder     = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER
	stageRepeat    = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS
	stageBrand     = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND
)

// Criteria used by several policies. Expressions are CEL over `firm` and
// `facts` in the container qihang.common.v1 (see eligibility.Environment).
var (
	critExporting = crit("exporting", "已开展跨境电商出口业务（已出单）", "facts.exporting")
	critMember    = crit("member", "为加入“百社千企 跨境启航”行动的协会的会员企业", "facts.programme_member")
	critFirstOrd  = crit("first_order", "已实现跨境电商出单", "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER")
	critStore     = crit("store_open", "已在跨境电商平台或独立站开设店铺", "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_STORE_OPENED")
	critUnder300  = crit("sme", "员工人数300人以下的中小微企业", "firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_100_TO_299")
)

func crit(id, description, expression string) *catalogv1.Criterion {
	return &catalogv1.Criterion{Id: id, Description: description, Expression: expression}
}

func exportAtLeast(wanYuan int) *catalogv1.Criterion {
	return crit(fmt.Sprintf("export_%d", wanYuan), fmt.Sprintf("上年出口额不低于%d万元", wanYuan),
		fmt.Sprintf("facts.annual_export_value_wan_yuan >= %d", wanYuan))
}

func exportAtMost(wanYuan int) *catalogv1.Criterion {
	return crit(fmt.Sprintf("export_max_%d", wanYuan), fmt.Sprintf("上年出口额不超过%d万元", wanYuan),
		fmt.Sprintf("facts.annual_export_value_wan_yuan <= %d", wanYuan))
}

// onPlatforms is a criterion "sells on at least one of these platforms".
func onPlatforms(id, description string, ps ...commonv1.SalesPlatform) *catalogv1.Criterion {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = "SalesPlatform." + p.String()
	}
	return crit(id, description, "firm.platforms.exists(p, p in ["+strings.Join(names, ", ")+"])")
}

// inMarkets is a criterion "targets at least one of these markets".
func inMarkets(id, description string, codes ...string) *catalogv1.Criterion {
	quoted := make([]string, len(codes))
	for i, c := range codes {
		quoted[i] = "'" + c + "'"
	}
	return crit(id, description, "firm.target_markets.exists(m, m in ["+strings.Join(quoted, ", ")+"])")
}

// Market groups.
var (
	marketsWest     = []string{"US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "JP", "KR", "AU"}
	marketsEmerging = []string{"RU", "KZ", "UZ", "VN", "TH", "MY", "ID", "PH", "SG", "SA", "AE", "TR", "BR", "MX", "PL", "NG", "ZA", "PK", "IN", "MA"}
	marketsASEAN    = []string{"SG", "MY", "TH", "VN", "ID", "PH", "HK"}
)

// plannedPolicy is one demo policy and the state LoadCatalog leaves it in.
type plannedPolicy struct {
	key    string
	policy *catalogv1.Policy
	// target is DRAFT, PUBLISHED, EXPIRED (published, then its validity
	// corrected to one that has ended) or WITHDRAWN (published, then
	// withdrawn).
	target catalogv1.PolicyStatus
	// ended is the validity an EXPIRED policy is given after publishing.
	ended *commonv1.TimeWindow
	// note is the withdrawal reason or the change note of the expiry.
	note string
}

// policySeed is the hand-written part of a demo policy; planPolicies turns
// it into the contract's message, adding the demo marks, the source and the
// full text.
type policySeed struct {
	key        string
	title      string
	issuer     string
	level      catalogv1.PolicyLevel
	districts  []commonv1.District
	industries []commonv1.Industry
	stages     []commonv1.CrossBorderStage
	categories []catalogv1.PolicyCategory
	summary    string
	// background is the first paragraph of the full text: why the policy
	// exists.
	background string
	benefit    *catalogv1.Benefit
	validity   *commonv1.TimeWindow
	window     *commonv1.TimeWindow
	howToApply string
	applyURL   bool
	office     string
	docTitle   string
	docNumber  string
	tags       []string
	criteria   []*catalogv1.Criterion
	target     catalogv1.PolicyStatus
	ended      *commonv1.TimeWindow
	note       string
}

// Enquiry offices (fictional numbers, see above).
const (
	officeHZEcom     = "杭州市商务局电子商务处（演示） 0571-00001101"
	officeHZTrade    = "杭州市商务局对外贸易处（演示） 0571-00001102"
	officeHZFinance  = "杭州市财政局经济建设处（演示） 0571-00001201"
	officeHZHR       = "杭州市人力资源和社会保障局职业能力建设处（演示） 0571-00001301"
	officeHZIP       = "杭州市市场监督管理局（知识产权局）知识产权促进处（演示） 0571-00001401"
	officeZJ         = "浙江省商务厅电子商务处（演示） 0571-00002101"
	officeZJTrade    = "浙江省商务厅对外贸易发展处（演示） 0571-00002102"
	officeTax        = "国家税务总局杭州市税务局进出口税收管理处（演示） 0571-00003101"
	officeCustoms    = "杭州海关综合业务处（演示） 0571-00003201"
	officeXiaoshan   = "萧山区商务局电子商务科（演示） 0571-00005101"
	officeYuhang     = "余杭区商务局外经贸科（演示） 0571-00006101"
	officeBinjiang   = "杭州高新区（滨江）商务局（演示） 0571-00004101"
	officeTonglu     = "桐庐县商务局（演示） 0571-00001111"
	officeFuyang     = "富阳区商务局（演示） 0571-00009101"
	officeLinan      = "临安区商务局（演示） 0571-00001011"
	officeLinping    = "临平区商务局（演示） 0571-00007101"
	officeQiantang   = "钱塘区商务局（演示） 0571-00008101"
	officeChunan     = "淳安县商务局（演示） 0571-00001121"
	officeJiande     = "建德市商务局（演示） 0571-00001131"
	officeXihu       = "西湖区商务局（演示） 0571-00003301"
	officeShangcheng = "上城区商务局（演示） 0571-00001501"
	officeGongshu    = "拱墅区商务局（演示） 0571-00002501"
)

func ds(d ...commonv1.District) []commonv1.District                   { return d }
func inds(i ...commonv1.Industry) []commonv1.Industry                 { return i }
func stgs(s ...commonv1.CrossBorderStage) []commonv1.CrossBorderStage { return s }
func cats(c ...catalogv1.PolicyCategory) []catalogv1.PolicyCategory   { return c }
func crits(c ...*catalogv1.Criterion) []*catalogv1.Criterion          { return c }
func tags(t ...string) []string                                       { return t }

// policySeeds are the demo policies in creation order. The last one marks a
// completed load (see LoadCatalog), so it is a plain published policy.
func policySeeds(c calendar) []policySeed {
	const (
		xiaoshan   = commonv1.District_DISTRICT_XIAOSHAN
		yuhang     = commonv1.District_DISTRICT_YUHANG
		binjiang   = commonv1.District_DISTRICT_BINJIANG
		tonglu     = commonv1.District_DISTRICT_TONGLU
		fuyang     = commonv1.District_DISTRICT_FUYANG
		linan      = commonv1.District_DISTRICT_LINAN
		linping    = commonv1.District_DISTRICT_LINPING
		qiantang   = commonv1.District_DISTRICT_QIANTANG
		chunan     = commonv1.District_DISTRICT_CHUNAN
		jiande     = commonv1.District_DISTRICT_JIANDE
		xihu       = commonv1.District_DISTRICT_XIHU
		shangcheng = commonv1.District_DISTRICT_SHANGCHENG
		gongshu    = commonv1.District_DISTRICT_GONGSHU
	)
	const (
		apparel    = commonv1.Industry_INDUSTRY_APPAREL
		hometex    = commonv1.Industry_INDUSTRY_HOME_TEXTILES
		down       = commonv1.Industry_INDUSTRY_DOWN_PRODUCTS
		silk       = commonv1.Industry_INDUSTRY_SILK
		furniture  = commonv1.Industry_INDUSTRY_FURNITURE_HOME
		digital    = commonv1.Industry_INDUSTRY_DIGITAL_HARDWARE
		appliances = commonv1.Industry_INDUSTRY_HOME_APPLIANCES
		autoParts  = commonv1.Industry_INDUSTRY_AUTO_PARTS
		machinery  = commonv1.Industry_INDUSTRY_MACHINERY
		tools      = commonv1.Industry_INDUSTRY_HARDWARE_TOOLS
		pens       = commonv1.Industry_INDUSTRY_WRITING_INSTRUMENTS
		sport      = commonv1.Industry_INDUSTRY_SPORTING_GOODS
		snacks     = commonv1.Industry_INDUSTRY_FOOD_SNACKS
		tea        = commonv1.Industry_INDUSTRY_TEA
		beauty     = commonv1.Industry_INDUSTRY_BEAUTY_PERSONAL_CARE
		medical    = commonv1.Industry_INDUSTRY_MEDICAL_HEALTH
		bags       = commonv1.Industry_INDUSTRY_BAGS_LUGGAGE
		pet        = commonv1.Industry_INDUSTRY_PET_PRODUCTS
		agri       = commonv1.Industry_INDUSTRY_AGRICULTURE
		crafts     = commonv1.Industry_INDUSTRY_ARTS_CRAFTS
		paper      = commonv1.Industry_INDUSTRY_PAPER_PRINTING
		energy     = commonv1.Industry_INDUSTRY_NEW_ENERGY
		ecom       = commonv1.Industry_INDUSTRY_ECOMMERCE_SERVICES
	)
	y := c.year
	return []policySeed{
		// ── Municipal ────────────────────────────────────────────────────
		{
			key: "hz-fund-scale", title: "杭州市跨境电商发展专项资金（出口规模奖励）", issuer: "杭州市商务局、杭州市财政局", level: municipal,
			categories: cats(catFunding),
			summary:    "对上年跨境电商出口额达到500万元且已稳定出单的企业，按出口额的1%给予奖励，单个企业最高100万元。本年度申报正在受理。",
			background: "为加快中国（杭州）跨境电子商务综合试验区建设，鼓励企业扩大跨境电商出口规模，市财政安排跨境电商发展专项资金，对出口规模较大、带动作用明显的企业给予奖励。",
			benefit:    &catalogv1.Benefit{Description: "按企业上年跨境电商出口额的1%给予奖励，单个企业最高不超过100万元。", MaxAmountFen: wan(100), RateBasisPoints: bp(100)},
			validity:   c.years(-1, 1), window: c.months(-2, 2),
			howToApply: "企业登录杭州市跨境电商公共服务平台（演示）填报申报书，上传上年度跨境电商出口数据（平台后台报表或9610/9710/9810报关单汇总）、营业执照，经所在区县商务部门初审后报市商务局复核。",
			applyURL:   true, office: officeHZEcom,
			docTitle: "杭州市跨境电商发展专项资金管理办法（演示）", docNumber: "杭商务〔演示〕3号",
			tags:     tags("专项资金", "出口奖励", "综试区"),
			criteria: crits(exportAtLeast(500), critFirstOrd),
			target:   statusPublish,
		},
		{
			key: "hz-credit-insurance", title: "跨境电商出口信用保险保费补助", issuer: "杭州市商务局", level: municipal,
			categories: cats(catInsurance, catFunding),
			summary:    "已开展跨境电商出口、上年出口额不超过1亿元的企业，投保短期出口信用保险的，按实缴保费的50%给予补助，每家每年最高20万元。",
			background: "为帮助外贸企业防范海外买家拖欠、破产等收汇风险，鼓励中小企业运用出口信用保险工具，对企业投保短期出口信用保险的保费给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按企业实际缴纳的短期出口信用保险保费的50%给予补助，单个企业每年最高20万元。", MaxAmountFen: wan(20), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1),
			howToApply: "常年受理。企业凭出口信用保险保单、保费发票和收汇凭证，于每季度结束后次月向所在区县商务部门申报，补助资金按季拨付。",
			office:     officeHZTrade,
			docTitle:   "关于做好跨境电商出口信用保险保费补助工作的通知（演示）", docNumber: "杭商务〔演示〕7号",
			tags:     tags("出口信保", "保费补助", "小微企业"),
			criteria: crits(critExporting, exportAtMost(10000)),
			target:   statusPublish,
		},
		{
			key: "hz-credit-insurance-old", title: fmt.Sprintf("跨境电商出口信用保险保费补助（%d—%d年）", y-3, y-2), issuer: "杭州市商务局", level: municipal,
			categories: cats(catInsurance, catFunding),
			summary:    fmt.Sprintf("%d—%d年实施的出口信用保险保费补助，按实缴保费的40%%给予补助，每家每年最高15万元。已到期，由新版保费补助政策接续。", y-3, y-2),
			background: "为稳定外贸企业接单信心，对企业投保短期出口信用保险的保费给予阶段性补助。",
			benefit:    &catalogv1.Benefit{Description: "按实际缴纳保费的40%给予补助，单个企业每年最高15万元。", MaxAmountFen: wan(15), RateBasisPoints: bp(4000)},
			validity:   c.years(-3, 1),
			howToApply: "已停止受理。",
			office:     officeHZTrade,
			docTitle:   "关于阶段性加大出口信用保险支持力度的通知（演示）", docNumber: "杭商务〔演示〕21号",
			tags:     tags("出口信保", "保费补助"),
			criteria: crits(critExporting),
			target:   statusExpired, ended: c.years(-3, -2),
			note: fmt.Sprintf("按原文件更正实施期限：至%d年12月31日止，%d年起由新版保费补助政策接续", y-2, y-1),
		},
		{
			key: "hz-talent", title: "跨境电商人才培训补贴", issuer: "杭州市人力资源和社会保障局、杭州市商务局", level: municipal,
			categories: cats(catTalent),
			summary:    "“百社千企”行动协会的会员企业组织员工参加跨境电商运营、直播、合规等认定培训并结业的，每人补贴2000元，每家每年最高5万元。",
			background: "为缓解跨境电商运营、营销和合规人才紧缺问题，依托行业协会组织会员企业员工参加跨境电商职业技能培训，对培训费用给予补贴。",
			benefit:    &catalogv1.Benefit{Description: "按每人2000元给予培训补贴，单个企业每年最高5万元。", MaxAmountFen: wan(5)},
			validity:   c.years(0, 1),
			howToApply: "由所属协会汇总会员企业参训名单，培训结束后30日内向市人力社保局提交补贴申请，附结业证书、培训费发票和劳动合同或社保缴纳记录。",
			office:     officeHZHR,
			docTitle:   "关于开展跨境电商职业技能提升培训的通知（演示）", docNumber: "杭人社〔演示〕5号",
			tags:     tags("人才培训", "百社千企", "协会组织"),
			criteria: crits(critMember, crit("size", "员工人数1000人以下", "firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_300_TO_999")),
			target:   statusPublish,
		},
		{
			key: "hz-first-store", title: "首次入驻跨境电商平台开店补助", issuer: "杭州市商务局", level: municipal,
			stages:     stgs(stageStore, stageOrder),
			categories: cats(catOnboarding, catFunding),
			summary:    "首次在亚马逊、速卖通、阿里巴巴国际站、TikTok Shop、Temu、SHEIN等主流平台开店的“百社千企”会员企业，按首年开店服务费用的50%给予补助，最高3万元。",
			background: "为推动传统外贸和内贸企业“触网出海”，鼓励首次开展跨境电商的企业入驻主流跨境电商平台，降低开店初期成本。",
			benefit:    &catalogv1.Benefit{Description: "按首年平台开店、认证、代运营等服务费用的50%给予补助，单个企业最高3万元（平台保证金不计入）。", MaxAmountFen: wan(3), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1),
			howToApply: "开店满3个月后，由企业通过所属协会向所在区县商务部门申报，提交店铺后台截图、服务合同与发票。",
			applyURL:   true, office: officeHZEcom,
			docTitle: "杭州市首次入驻跨境电商平台开店补助实施细则（演示）", docNumber: "杭商务〔演示〕11号",
			tags: tags("首次入驻", "首次出海", "小微企业"),
			criteria: crits(
				onPlatforms("platform", "已在亚马逊、速卖通、阿里巴巴国际站、TikTok Shop、Temu或SHEIN开设店铺",
					amazon, aliexpress, alibaba, tiktok, temu, shein),
				critMember),
			target: statusPublish,
		},
		{
			key: "hz-first-store-old", title: "跨境电商平台入驻补助（原办法）", issuer: "杭州市商务局", level: municipal,
			categories: cats(catOnboarding),
			summary:    "原跨境电商平台入驻补助办法，对尚未出单的企业入驻平台给予补助。已由《杭州市首次入驻跨境电商平台开店补助实施细则（演示）》替代。",
			background: "为鼓励企业开展跨境电商，对入驻跨境电商平台的企业给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按平台年费的30%给予补助，最高2万元。", MaxAmountFen: wan(2), RateBasisPoints: bp(3000)},
			validity:   c.years(-2, 1),
			howToApply: "已停止受理，请按新办法申报。",
			office:     officeHZEcom,
			docTitle:   "杭州市跨境电商平台入驻补助办法（演示）", docNumber: "杭商务〔演示〕2号",
			tags:     tags("首次入驻"),
			criteria: crits(crit("not_yet_selling", "尚未实现跨境电商出单", "firm.stage <= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_STORE_OPENED")),
			target:   statusWithdraw,
			note:     "已被《杭州市首次入驻跨境电商平台开店补助实施细则（演示）》替代",
		},
		{
			key: "hz-overseas-warehouse", title: "海外仓建设与租用补助", issuer: "杭州市商务局、杭州市财政局", level: municipal,
			stages:     stgs(stageRepeat, stageBrand),
			categories: cats(catWarehouse, catFunding),
			summary:    "已稳定出口、上年出口额1000万元以上、面向欧美日韩等市场的企业，自建或租用海外仓的，按投入给予补助，单个企业最高100万元。",
			background: "海外仓是跨境电商的重要境外节点。为完善跨境电商海外营销和物流网络，支持企业在重点市场自建或租用海外仓，提升本地配送和售后服务能力。",
			benefit:    &catalogv1.Benefit{Description: "自建海外仓按当年建设投入的20%、租用海外仓按年租金的30%给予补助，单个企业最高100万元。", MaxAmountFen: wan(100)},
			validity:   c.years(-1, 1),
			howToApply: "企业于每年申报通知发布后，提交海外仓产权证明或租赁合同、付款凭证、仓储运营数据，经区县商务部门初审、市商务局组织专家评审后拨付。",
			office:     officeHZEcom,
			docTitle:   "杭州市支持跨境电商海外仓建设若干措施（演示）", docNumber: "杭商务〔演示〕9号",
			tags: tags("海外仓", "物流"),
			criteria: crits(exportAtLeast(1000),
				inMarkets("markets", "目标市场包括北美、欧洲、日韩或澳大利亚等海外仓重点布局市场", marketsWest...)),
			target: statusPublish,
		},
		{
			key: "hz-independent-site", title: "跨境电商独立站建设推广补助", issuer: "杭州市商务局", level: municipal,
			categories: cats(catBrand, catFunding),
			summary:    "已上线自营独立站、上年出口额100万元以上的企业，按独立站建设和海外推广投入的30%给予补助，最高20万元。",
			background: "为引导企业由平台销售向品牌化、多渠道经营转型，支持企业建设自营跨境电商独立站并开展海外数字营销。",
			benefit:    &catalogv1.Benefit{Description: "按独立站建站、SaaS服务和海外数字营销投入的30%给予补助，单个企业最高20万元。", MaxAmountFen: wan(20), RateBasisPoints: bp(3000)},
			validity:   c.years(-1, 1),
			howToApply: "企业提交独立站域名备案信息、建站与推广服务合同、发票和付款凭证，向所在区县商务部门申报。",
			office:     officeHZEcom,
			docTitle:   "杭州市跨境电商发展专项资金管理办法（演示）", docNumber: "杭商务〔演示〕3号",
			tags: tags("独立站", "品牌出海"),
			criteria: crits(
				crit("own_site", "已上线自营独立站（如基于Shopify等建站）", "SalesPlatform.SALES_PLATFORM_INDEPENDENT_SITE in firm.platforms"),
				exportAtLeast(100)),
			target: statusPublish,
		},
		{
			key: "hz-trademark", title: "境外商标注册补助", issuer: "杭州市市场监督管理局（杭州市知识产权局）", level: municipal,
			categories: cats(catCompliance),
			summary:    "已实现跨境电商出单的制造企业，通过马德里体系或逐一国家注册境外商标的，按官方规费的70%给予补助，每家每年最高10万元。",
			background: "为支持企业开展品牌国际化布局，防范海外知识产权风险，对企业在境外注册商标的官方规费给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按境外商标注册官方规费的70%给予补助，每件最高1万元，单个企业每年最高10万元。", MaxAmountFen: wan(10), RateBasisPoints: bp(7000)},
			validity:   c.years(-1, 1),
			howToApply: "商标获准注册后12个月内，企业持注册证明、规费缴纳凭证向市知识产权局申报。",
			office:     officeHZIP,
			docTitle:   "杭州市知识产权资助办法（演示）", docNumber: "杭市管〔演示〕4号",
			tags: tags("境外商标", "知识产权"),
			criteria: crits(critFirstOrd,
				crit("goods", "生产或销售实物商品的企业（跨境电商服务企业除外）", "firm.industry != Industry.INDUSTRY_ECOMMERCE_SERVICES")),
			target: statusPublish,
		},
		{
			key: "hz-expo", title: "境外展会参展补助", issuer: "杭州市商务局", level: municipal,
			categories: cats(catBrand),
			summary:    "“百社千企”会员企业上年出口额200万元以上的，参加市商务局发布目录内的境外展会，按展位费的50%给予补助，最高30万元。本批次申报正在受理。",
			background: "为支持企业“走出去”拓市场抢订单，鼓励企业随行业协会组团参加境外专业展会，对展位费给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按展位费的50%给予补助，每个展会最高5万元，单个企业每年最高30万元。", MaxAmountFen: wan(30), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1), window: c.months(-1, 2),
			howToApply: "由组展协会汇总参展企业名单，展会结束后60日内提交展位合同、付款凭证和展位照片。",
			applyURL:   true, office: officeHZTrade,
			docTitle: "关于发布重点境外展会目录及参展补助办法的通知（演示）", docNumber: "杭商务〔演示〕15号",
			tags:     tags("境外展会", "协会组团", "拓市场"),
			criteria: crits(exportAtLeast(200), critMember),
			target:   statusPublish,
		},
		{
			key: "hz-park", title: "跨境电商产业园入驻租金补贴", issuer: "杭州市商务局", level: municipal,
			categories: cats(catParkSpace),
			summary:    "员工100人以下、已开设跨境电商店铺的小微企业，入驻市级跨境电商产业园的，首年租金补贴50%，最高15万元。本年度申报已结束。",
			background: "为推动跨境电商企业集聚发展，支持小微跨境电商企业入驻市级跨境电商产业园，共享园区的物流、培训、直播和法律服务。",
			benefit:    &catalogv1.Benefit{Description: "按首年实际租金的50%给予补贴，单个企业最高15万元。", MaxAmountFen: wan(15), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1), window: c.months(-7, -5),
			howToApply: "由园区运营方汇总入驻企业名单，在年度申报期内向市商务局申报，附租赁合同和租金发票。",
			office:     officeHZEcom,
			docTitle:   "杭州市跨境电商产业园认定管理办法（演示）", docNumber: "杭商务〔演示〕18号",
			tags: tags("产业园", "租金补贴", "小微企业"),
			criteria: crits(critStore,
				crit("small", "员工人数100人以下", "firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_20_TO_99")),
			target: statusPublish,
		},
		{
			key: "hz-loan-interest", title: "小微外贸企业融资贴息", issuer: "杭州市财政局、杭州市商务局", level: municipal,
			categories: cats(catFinancing),
			summary:    "员工300人以下、已开展跨境电商出口且上年出口额不超过5000万元的企业，以订单、保单或应收账款融资的，按实付利息的50%贴息，最高50万元。",
			background: "为缓解小微外贸企业融资难、融资贵问题，支持企业以出口订单、出口信用保险保单和应收账款等方式融资，对其贷款利息给予贴息。",
			benefit:    &catalogv1.Benefit{Description: "按不超过一年期贷款市场报价利率（LPR）计算的实付利息的50%给予贴息，单个企业每年最高50万元。", MaxAmountFen: wan(50), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1),
			howToApply: "企业在贷款结清或年度付息后，持借款合同、付息凭证和出口合同向合作银行提交，由银行汇总报市财政局审核。",
			office:     officeHZFinance,
			docTitle:   "杭州市小微外贸企业融资支持办法（演示）", docNumber: "杭财〔演示〕6号",
			tags:     tags("融资贴息", "小微企业", "信保融资"),
			criteria: crits(critUnder300, critExporting, exportAtMost(5000)),
			target:   statusPublish,
		},

		// ── Provincial ───────────────────────────────────────────────────
		{
			key: "zj-brand-abroad", title: "浙江省跨境电商品牌出海培育", issuer: "浙江省商务厅", level: provincial,
			categories: cats(catBrand, catFunding),
			summary:    "已稳定出口、在亚马逊、沃尔玛或自营独立站销售自有品牌、具有一定规模的企业，可申报省级品牌出海培育，按品牌推广投入的30%给予支持，最高50万元。",
			background: "为培育一批具有国际影响力的浙江跨境电商品牌，推动“浙江制造”向“浙江品牌”转变，省商务厅组织开展跨境电商品牌出海培育工作。",
			benefit:    &catalogv1.Benefit{Description: "按海外品牌推广、认证和渠道建设投入的30%给予支持，单个企业最高50万元。", MaxAmountFen: wan(50), RateBasisPoints: bp(3000)},
			validity:   c.years(-1, 1),
			howToApply: "企业向所在区县商务部门提出申请，经市商务局推荐后报省商务厅评审，入选企业公示后拨付资金。",
			office:     officeZJ,
			docTitle:   "关于开展跨境电商品牌出海培育工作的通知（演示）", docNumber: "浙商务〔演示〕8号",
			tags: tags("品牌出海", "省级"),
			criteria: crits(
				crit("repeat", "已实现跨境电商稳定出口", "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_REPEAT_EXPORTS"),
				onPlatforms("brand_channel", "在亚马逊、沃尔玛或自营独立站销售自有品牌商品", amazon, walmart, ownSite),
				crit("scale", "营业收入2000万元以上，或上年出口额不低于1000万元",
					"firm.revenue_band >= RevenueBand.REVENUE_BAND_20M_TO_100M || facts.annual_export_value_wan_yuan >= 1000")),
			target: statusPublish,
		},
		{
			key: "zj-public-warehouse", title: "浙江省省级公共海外仓培育", issuer: "浙江省商务厅", level: provincial,
			stages:     stgs(stageBrand),
			categories: cats(catWarehouse),
			summary:    "已运营海外仓、上年出口额5000万元以上、员工100人以上的企业，可申报省级公共海外仓，对向中小企业开放的仓储服务给予最高200万元支持。",
			background: "为发挥海外仓对中小企业出海的公共服务作用，培育一批运营规范、辐射面广的省级公共海外仓。",
			benefit:    &catalogv1.Benefit{Description: "对认定的省级公共海外仓，按其当年为中小企业提供公共服务的投入给予支持，最高200万元。", MaxAmountFen: wan(200)},
			validity:   c.years(0, 2),
			howToApply: "企业提交海外仓运营情况报告、服务中小企业清单和审计报告，由市商务局推荐，省商务厅组织认定。",
			office:     officeZJTrade,
			docTitle:   "浙江省公共海外仓培育认定办法（演示）", docNumber: "浙商务〔演示〕12号",
			tags:     tags("海外仓", "公共服务", "省级"),
			criteria: crits(exportAtLeast(5000), crit("staff", "员工人数100人以上", "firm.employees_band >= EmployeesBand.EMPLOYEES_BAND_100_TO_299")),
			target:   statusPublish,
		},
		{
			key: "zj-belt", title: "产业集群跨境电商发展试点（一区一品）培育", issuer: "浙江省商务厅", level: provincial,
			categories: cats(catFunding),
			summary:    "属于已发布的“一区一品”产业带、已开设跨境电商店铺的“百社千企”会员企业，可申报产业集群跨境电商试点项目支持，最高30万元。",
			background: "为推动产业带企业“集群出海”，省商务厅支持各地以“一区一品”产业带为单元，组织协会和会员企业开展跨境电商培训、选品、品牌共建和海外推广。",
			benefit:    &catalogv1.Benefit{Description: "对纳入试点项目的企业，按跨境电商运营投入的40%给予支持，单个企业最高30万元。", MaxAmountFen: wan(30), RateBasisPoints: bp(4000)},
			validity:   c.years(-1, 1),
			howToApply: "由产业带所在区县商务部门会同承载协会编制试点方案，统一组织企业申报。",
			office:     officeZJ,
			docTitle:   "浙江省产业集群跨境电商发展试点工作方案（演示）", docNumber: "浙商务〔演示〕5号",
			tags: tags("一区一品", "产业带", "百社千企"),
			criteria: crits(
				crit("belt", "属于已发布的“一区一品”产业带（所在区县和行业与产业带一致）", "size(facts.industry_belt_ids) > 0"),
				critMember, critStore),
			target: statusPublish,
		},
		{
			key: "zj-expo-old", title: fmt.Sprintf("浙江省“浙货行天下”境外展会补助（%d年）", y-2), issuer: "浙江省商务厅", level: provincial,
			categories: cats(catBrand),
			summary:    fmt.Sprintf("%d年度境外展会补助，对参加省重点境外展会的企业按展位费的50%%给予补助。已到期。", y-2),
			background: "为支持企业开拓国际市场，对企业参加省重点境外展会给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按展位费的50%给予补助，每个展会最高3万元。", MaxAmountFen: wan(3), RateBasisPoints: bp(5000)},
			validity:   c.years(-2, 1),
			howToApply: "已停止受理。",
			office:     officeZJTrade,
			docTitle:   fmt.Sprintf("%d年浙江省重点境外展会目录（演示）", y-2), docNumber: "浙商务〔演示〕1号",
			tags:     tags("境外展会"),
			criteria: crits(critExporting),
			target:   statusExpired, ended: c.years(-2, -2),
			note: fmt.Sprintf("%d年度展会补助已结束，实施期限更正为至%d年12月31日", y-2, y-2),
		},
		{
			key: "zj-new-markets", title: "外贸企业开拓新兴市场补助", issuer: "浙江省商务厅", level: provincial,
			categories: cats(catBrand, catFunding),
			summary:    "已开展跨境电商出口、目标市场包括“一带一路”沿线、东盟、中东、拉美、非洲等新兴市场的企业，开展市场调研、认证和推广的，按投入的50%给予补助，最高20万元。",
			background: "为推动外贸市场多元化，引导企业开拓共建“一带一路”国家等新兴市场，对企业在新兴市场的市场开拓活动给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按市场调研、产品认证、海外推广投入的50%给予补助，单个企业最高20万元。", MaxAmountFen: wan(20), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1),
			howToApply: "企业通过浙江省商务厅业务系统（演示）填报，区县商务部门初审。",
			applyURL:   true, office: officeZJTrade,
			docTitle: "浙江省外贸市场多元化行动方案（演示）", docNumber: "浙商务〔演示〕10号",
			tags: tags("新兴市场", "一带一路", "拓市场"),
			criteria: crits(critExporting,
				inMarkets("emerging", "目标市场包括“一带一路”沿线、东盟、中东、拉美或非洲等新兴市场", marketsEmerging...)),
			target: statusPublish,
		},

		// ── National (applied in Hangzhou) ───────────────────────────────
		{
			key: "nat-9610-tax", title: "跨境电商零售出口“无票免税”与所得税核定征收", issuer: "国家税务总局杭州市税务局", level: national,
			categories: cats(catTax),
			summary:    "在综试区内通过跨境电商平台零售出口、未取得有效进货凭证的货物，符合条件的可享受增值税、消费税免税，企业所得税可按应税所得率4%核定征收。",
			background: "为支持跨境电商零售出口发展，综试区内跨境电商企业零售出口未取得有效进货凭证的货物，符合规定条件的，试行增值税、消费税免税政策，并对企业所得税采用核定征收方式。",
			benefit:    &catalogv1.Benefit{Description: "零售出口货物增值税、消费税免征；企业所得税按应税所得率4%核定征收，符合小型微利企业条件的可叠加享受优惠。"},
			validity:   c.since(-3),
			howToApply: "企业在跨境电商线上综合服务平台（演示）登记出口商品信息，按月向主管税务机关办理免税申报；核定征收向主管税务机关备案。",
			office:     officeTax,
			docTitle:   "关于跨境电商综试区零售出口货物税收政策的公告（演示）", docNumber: "杭税〔演示〕2号",
			tags: tags("出口退税", "9610", "无票免税", "核定征收"),
			criteria: crits(critFirstOrd,
				onPlatforms("retail", "通过跨境电商零售平台或自营独立站向境外消费者销售",
					amazon, aliexpress, temu, shein, tiktok, shopee, lazada, ebay, walmart, ozon, mercado, etsy, ownSite)),
			target: statusPublish,
		},
		{
			key: "nat-9710-customs", title: "跨境电商B2B出口（9710/9810）通关便利", issuer: "杭州海关", level: national,
			categories: cats(catCustoms),
			summary:    "以跨境电商B2B直接出口（9710）或出口海外仓（9810）方式报关的企业，可享受优先查验、“一次登记、一点对接”、转关便利和简化申报。",
			background: "为促进跨境电商B2B出口，海关对以9710、9810方式申报的跨境电商企业提供通关便利，并在综试区推广“跨境电商出口海外仓”模式。",
			benefit:    &catalogv1.Benefit{Description: "优先安排查验，可选择“跨境电商B2B出口”专用通道；单票金额5000元以内且不涉证、不涉检、不涉税的货物可按6位HS编码简化申报。"},
			validity:   c.since(-4),
			howToApply: "企业在海关办理跨境电商企业备案（开展9810出口海外仓业务的，同时办理海外仓备案），通过“单一窗口”申报。",
			office:     officeCustoms,
			docTitle:   "关于开展跨境电子商务企业对企业出口监管试点的公告（演示）", docNumber: "杭关〔演示〕1号",
			tags: tags("9710", "9810", "通关便利", "B2B"),
			criteria: crits(critExporting,
				onPlatforms("b2b", "通过阿里巴巴国际站、中国制造网、环球资源等B2B平台或自营独立站接单",
					alibaba, madeInChina, globalSrc, ownSite)),
			target: statusPublish,
		},
		{
			key: "nat-refund-fast", title: "出口退税“即报即审”快速办理", issuer: "国家税务总局杭州市税务局", level: national,
			categories: cats(catTax, catCustoms),
			summary:    "已稳定出口、上年出口额300万元以上且纳税信用良好的企业，出口退税申报可“即报即审”，正常退税平均3个工作日内到账。",
			background: "为帮助外贸企业加快资金周转，税务部门对纳税信用良好、出口业务规范的企业推行出口退税“即报即审”和无纸化申报。",
			benefit:    &catalogv1.Benefit{Description: "正常出口退税平均办理时间压缩至3个工作日内；全面推行无纸化申报和“非接触式”办税。"},
			validity:   c.years(-1, 2),
			howToApply: "企业通过电子税务局（演示）提交出口退税申报，无需另行申请；首次办理请先完成出口退（免）税备案。",
			office:     officeTax,
			docTitle:   "关于进一步便利出口退税办理的公告（演示）", docNumber: "杭税〔演示〕6号",
			tags: tags("出口退税", "便利化"),
			criteria: crits(
				crit("repeat", "已实现跨境电商稳定出口", "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_REPEAT_EXPORTS"),
				exportAtLeast(300)),
			target: statusPublish,
		},

		// ── Districts and counties ───────────────────────────────────────
		{
			key: "xs-transform", title: "萧山区传统产业跨境电商转型扶持", issuer: "萧山区人民政府", level: districtLv,
			districts:  ds(xiaoshan),
			industries: inds(down, autoParts, hometex, apparel, machinery, tools),
			categories: cats(catFunding, catOnboarding),
			summary:    "萧山区羽绒、汽配、纺织服装、五金机电企业开设跨境电商店铺且上年出口额100万元以上的，按新增跨境电商出口额给予奖励，最高50万元。",
			background: "为推动萧山羽绒、汽配、纺织等传统优势产业借助跨境电商开拓国际市场，区政府对传统制造企业开展跨境电商给予扶持。",
			benefit:    &catalogv1.Benefit{Description: "首次上线主流平台并当年实现出口的，一次性奖励5万元；上年跨境电商出口额增量部分按2%给予奖励，单个企业最高50万元。", MaxAmountFen: wan(50), RateBasisPoints: bp(200)},
			validity:   c.years(-1, 1),
			howToApply: "企业向所在镇街经济发展部门提交申报材料，经区商务局审核、公示后拨付。",
			office:     officeXiaoshan,
			docTitle:   "萧山区促进跨境电商高质量发展若干政策（演示）", docNumber: "萧政办〔演示〕3号",
			tags:     tags("萧山", "传统产业转型", "出口奖励"),
			criteria: crits(critStore, exportAtLeast(100)),
			target:   statusPublish,
		},
		{
			key: "xs-warehouse-draft", title: "萧山区海外仓及海外展示中心建设补助（征求意见稿）", issuer: "萧山区人民政府", level: districtLv,
			districts:  ds(xiaoshan),
			stages:     stgs(stageRepeat, stageBrand),
			categories: cats(catWarehouse),
			summary:    "征求意见稿：萧山区企业在境外建设或租用海外仓、海外展示中心的，按投入的30%给予补助，最高80万元。",
			background: "为完善萧山羽绒、汽配等产业带的海外仓储和展示网络，拟对企业建设海外仓和海外展示中心给予补助，现公开征求意见。",
			benefit:    &catalogv1.Benefit{Description: "按海外仓、海外展示中心建设或租赁投入的30%给予补助，单个企业最高80万元。", MaxAmountFen: wan(80), RateBasisPoints: bp(3000)},
			validity:   c.years(1, 2),
			howToApply: "正式文件发布后另行通知。",
			office:     officeXiaoshan,
			docTitle:   "萧山区海外仓及海外展示中心建设补助办法（征求意见稿）（演示）",
			tags:       tags("萧山", "海外仓", "征求意见"),
			criteria:   crits(exportAtLeast(2000)),
			target:     statusDraft,
		},
		{
			key: "yh-park", title: "余杭区跨境电商产业园入驻与出口奖励", issuer: "余杭区人民政府", level: districtLv,
			districts:  ds(yuhang),
			industries: inds(hometex, furniture, pet, ecom),
			categories: cats(catParkSpace, catFunding),
			summary:    "余杭区家纺、家居、宠物用品企业和跨境电商服务企业，已实现出单且为“百社千企”会员的，入驻区级跨境电商园区可享受租金减免和出口奖励，最高30万元。",
			background: "为打造余杭跨境电商集聚区，支持家纺、家居、宠物用品等产业带企业和跨境电商服务商入驻区级园区，做大跨境电商出口规模。",
			benefit:    &catalogv1.Benefit{Description: "入驻区级跨境电商园区的，前两年租金减半；上年跨境电商出口额增长20%以上的，再给予一次性奖励，合计最高30万元。", MaxAmountFen: wan(30)},
			validity:   c.years(-1, 1),
			howToApply: "企业通过所属协会或园区运营方向区商务局申报。",
			office:     officeYuhang,
			docTitle:   "余杭区跨境电商产业园建设与企业扶持办法（演示）", docNumber: "余政办〔演示〕8号",
			tags:     tags("余杭", "产业园", "家纺家居"),
			criteria: crits(critFirstOrd, critMember),
			target:   statusPublish,
		},
		{
			key: "bj-hardware-brand", title: "滨江区数字硬件品牌出海扶持", issuer: "杭州高新区（滨江）商务局", level: districtLv,
			districts:  ds(binjiang),
			industries: inds(digital),
			categories: cats(catBrand, catFunding),
			summary:    "滨江区数字硬件企业在亚马逊或自营独立站面向欧美日韩市场销售自有品牌、上年出口额300万元以上的，按品牌推广投入的40%给予支持，最高60万元。",
			background: "为支持滨江智能硬件、安防和消费电子企业打造国际品牌，区里对企业海外品牌推广、认证和渠道建设给予扶持。",
			benefit:    &catalogv1.Benefit{Description: "按海外品牌推广、产品认证和渠道建设投入的40%给予支持，单个企业最高60万元。", MaxAmountFen: wan(60), RateBasisPoints: bp(4000)},
			validity:   c.years(0, 1),
			howToApply: "企业向区商务局提交申报书、推广合同与发票、海外销售数据。",
			office:     officeBinjiang,
			docTitle:   "杭州高新区（滨江）数字贸易和品牌出海扶持政策（演示）", docNumber: "杭高新〔演示〕4号",
			tags: tags("滨江", "数字硬件", "品牌出海"),
			criteria: crits(
				onPlatforms("channel", "在亚马逊或自营独立站销售", amazon, ownSite),
				inMarkets("markets", "目标市场包括北美、欧洲、日韩或澳大利亚", marketsWest...),
				exportAtLeast(300)),
			target: statusPublish,
		},
		{
			key: "tl-first-order", title: "桐庐县制笔与医疗器械企业跨境电商首单奖励", issuer: "桐庐县人民政府", level: districtLv,
			districts:  ds(tonglu),
			stages:     stgs(stageStore, stageOrder),
			categories: cats(catFunding, catOnboarding),
			summary:    "桐庐县出口笔类（HS第96章）或医疗器械（HS第90章）的企业，已开店或刚实现首单的，给予一次性奖励2万元。",
			background: "为推动分水制笔、桐庐医疗器械等特色产业“触网出海”，县政府对首次开展跨境电商并实现出单的企业给予奖励。",
			benefit:    &catalogv1.Benefit{Description: "实现跨境电商首单的，一次性奖励2万元；开店未满一年的，可同时享受县级代运营服务券1万元。", MaxAmountFen: wan(3)},
			validity:   c.years(-1, 1),
			howToApply: "企业向所在乡镇（街道）提交店铺信息和首单物流、收款凭证，由县商务局审核。",
			office:     officeTonglu,
			docTitle:   "桐庐县促进特色产业跨境电商发展实施意见（演示）", docNumber: "桐政办〔演示〕5号",
			tags: tags("桐庐", "首单奖励", "制笔"),
			criteria: crits(
				crit("hs", "出口商品属于笔类（HS第96章）或医疗器械（HS第90章）", "facts.hs_chapters.exists(c, c in ['96', '90'])")),
			target: statusPublish,
		},
		{
			key: "fy-platforms", title: "富阳区体育用品与纸品企业跨境电商扶持", issuer: "富阳区商务局", level: districtLv,
			districts:  ds(fuyang),
			industries: inds(sport, paper),
			categories: cats(catFunding, catOnboarding),
			summary:    "富阳区体育用品、纸品企业在亚马逊、速卖通、阿里巴巴国际站、沃尔玛或Temu销售、上年出口额50万元以上的，按平台推广费用的30%给予补助，最高20万元。",
			background: "为推动富阳体育用品、造纸包装产业带企业开拓跨境电商渠道，区商务局对企业在主流平台的推广投入给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按平台站内广告、推广服务费用的30%给予补助，单个企业最高20万元。", MaxAmountFen: wan(20), RateBasisPoints: bp(3000)},
			validity:   c.years(-1, 0),
			howToApply: "企业提交平台推广账单、付款凭证，经区商务局审核后拨付。",
			office:     officeFuyang,
			docTitle:   "富阳区跨境电商发展扶持办法（演示）", docNumber: "富商务〔演示〕2号",
			tags: tags("富阳", "体育用品", "纸品"),
			criteria: crits(
				onPlatforms("platform", "在亚马逊、速卖通、阿里巴巴国际站、沃尔玛或Temu销售", amazon, aliexpress, alibaba, walmart, temu),
				exportAtLeast(50)),
			target: statusPublish,
		},
		{
			key: "la-live", title: "临安区坚果炒货与农产品直播出海补助", issuer: "临安区人民政府", level: districtLv,
			districts:  ds(linan),
			industries: inds(snacks, agri),
			categories: cats(catOnboarding, catFunding),
			summary:    "临安区坚果炒货、笋干等农产品企业在TikTok Shop、Shopee或Lazada开展东南亚直播销售的，按直播运营投入的50%给予补助，最高10万元。本批次申报正在受理。",
			background: "为推动临安山核桃、笋干等特色农产品拓展东南亚市场，区政府支持企业借助直播电商开展跨境销售。",
			benefit:    &catalogv1.Benefit{Description: "按海外直播间搭建、达人合作和本地化运营投入的50%给予补助，单个企业最高10万元。", MaxAmountFen: wan(10), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1), window: c.months(-1, 3),
			howToApply: "企业通过临安区坚果炒货协会或所在镇街向区商务局申报，提交直播运营合同、发票和店铺销售数据。",
			office:     officeLinan,
			docTitle:   "临安区农产品跨境电商直播出海行动方案（演示）", docNumber: "临政办〔演示〕6号",
			tags: tags("临安", "直播电商", "东南亚"),
			criteria: crits(
				onPlatforms("live", "在TikTok Shop、Shopee或Lazada开设店铺", tiktok, shopee, lazada),
				inMarkets("asean", "目标市场包括东盟国家或香港", marketsASEAN...)),
			target: statusPublish,
		},
		{
			key: "lp-quick-response", title: "临平区服装家纺“小单快反”供应链出海补助", issuer: "临平区人民政府", level: districtLv,
			districts:  ds(linping),
			industries: inds(apparel, hometex, appliances),
			categories: cats(catFunding),
			summary:    "临平区员工300人以下的服装、家纺、厨电企业，为SHEIN、Temu、亚马逊、TikTok Shop等平台供货或开店的，对柔性供应链改造投入给予30%补助，最高30万元。",
			background: "为推动乔司服装、临平家纺等产业带对接跨境电商平台“小单快反”模式，区政府支持中小企业开展柔性供应链和数字化改造。",
			benefit:    &catalogv1.Benefit{Description: "按柔性生产线、数字化系统改造投入的30%给予补助，单个企业最高30万元。", MaxAmountFen: wan(30), RateBasisPoints: bp(3000)},
			validity:   c.years(0, 1),
			howToApply: "企业提交改造项目说明、设备或软件采购合同与发票，以及平台供货或店铺证明，向区经信局、商务局联合申报。",
			office:     officeLinping,
			docTitle:   "临平区时尚产业跨境电商提升行动方案（演示）", docNumber: "临平政办〔演示〕3号",
			tags: tags("临平", "小单快反", "柔性供应链"),
			criteria: crits(
				onPlatforms("platform", "在SHEIN、Temu、亚马逊或TikTok Shop开店或供货", shein, temu, amazon, tiktok),
				critUnder300),
			target: statusPublish,
		},
		{
			key: "qt-certification", title: "钱塘区医疗器械、新能源与美妆产品境外认证补助", issuer: "钱塘区人民政府", level: districtLv,
			districts:  ds(qiantang),
			industries: inds(medical, energy, beauty),
			categories: cats(catCompliance),
			summary:    "钱塘区医疗器械、新能源、美妆个护企业面向欧美日澳市场取得CE、FDA、UKCA等境外认证、上年出口额200万元以上的，按认证费用的50%给予补助，最高30万元。",
			background: "为帮助企业跨越境外市场准入门槛，区政府对医疗器械、新能源和美妆个护企业取得境外产品认证、注册的费用给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按取得CE、FDA、UKCA、TGA等境外认证或注册的费用的50%给予补助，单个企业每年最高30万元。", MaxAmountFen: wan(30), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1),
			howToApply: "企业在取得认证后6个月内，向区商务局提交认证证书、服务合同和发票。",
			office:     officeQiantang,
			docTitle:   "钱塘区支持企业开拓国际市场若干措施（演示）", docNumber: "钱政办〔演示〕2号",
			tags: tags("钱塘", "境外认证", "医疗器械"),
			criteria: crits(
				inMarkets("markets", "目标市场包括北美、欧洲、日韩或澳大利亚", marketsWest...),
				exportAtLeast(200)),
			target: statusPublish,
		},
		{
			key: "ca-agri", title: "淳安县茶叶与生态农产品跨境电商扶持", issuer: "淳安县人民政府", level: districtLv,
			districts:  ds(chunan),
			industries: inds(tea, agri),
			categories: cats(catFunding, catTalent),
			summary:    fmt.Sprintf("自%d年1月1日起施行：淳安县茶叶、生态农产品企业为“百社千企”会员、已开始了解或开展跨境电商的，可享受培训、开店和出口奖励，最高15万元。", y+1),
			background: "为推动千岛湖茶叶、山茶油、蜂蜜等生态农产品走向国际市场，县政府将对农产品企业开展跨境电商给予全流程扶持。",
			benefit:    &catalogv1.Benefit{Description: "参加跨境电商培训的免费；首次开店补助1万元；上年跨境电商出口额达50万元的奖励5万元，合计最高15万元。", MaxAmountFen: wan(15)},
			validity:   c.years(1, 3),
			howToApply: "政策施行后，企业通过淳安县农产品电商协会或千岛湖茶叶协会向县商务局申报。",
			office:     officeChunan,
			docTitle:   "淳安县生态农产品跨境电商发展三年行动计划（演示）", docNumber: "淳政办〔演示〕4号",
			tags: tags("淳安", "农产品", "茶叶", "即将施行"),
			criteria: crits(critMember,
				crit("started", "已开始了解或开展跨境电商", "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_EXPLORING")),
			target: statusPublish,
		},
		{
			key: "jd-emerging", title: "建德市外贸企业跨境电商开拓新兴市场补助", issuer: "建德市人民政府", level: districtLv,
			districts:  ds(jiande),
			categories: cats(catFunding, catBrand),
			summary:    "建德市企业面向东盟、中东、拉美、中亚等新兴市场开展跨境电商、上年出口额100万元以上的，按市场开拓投入的50%给予补助，最高15万元。",
			background: "为支持建德化工新材料、钙业和农产品企业开拓新兴市场，市政府对企业参加新兴市场展会、开展跨境电商推广给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按新兴市场展会、平台推广、产品认证投入的50%给予补助，单个企业最高15万元。", MaxAmountFen: wan(15), RateBasisPoints: bp(5000)},
			validity:   c.years(-1, 1),
			howToApply: "企业向市商务局提交申报表和相关合同、发票。",
			office:     officeJiande,
			docTitle:   "建德市开放型经济发展扶持政策（演示）", docNumber: "建政办〔演示〕7号",
			tags: tags("建德", "新兴市场"),
			criteria: crits(
				inMarkets("emerging", "目标市场包括东盟、中东、拉美、中亚、南亚或非洲等新兴市场", marketsEmerging...),
				exportAtLeast(100)),
			target: statusPublish,
		},
		{
			key: "xh-tea-brand", title: "西湖区龙井茶与文创产品品牌出海扶持", issuer: "西湖区人民政府", level: districtLv,
			districts:  ds(xihu),
			industries: inds(tea, crafts, silk),
			categories: cats(catBrand, catFunding),
			summary:    "西湖区茶叶、文创工艺和丝绸企业为“百社千企”会员、已开设跨境电商店铺的，参加海外品牌推广活动可按投入的50%获得补助，最高10万元。",
			background: "为推动西湖龙井茶和西湖文创产品走向世界，区政府支持企业以统一区域品牌开展海外推广。",
			benefit:    &catalogv1.Benefit{Description: "按海外品牌推广活动投入的50%给予补助，单个企业最高10万元。", MaxAmountFen: wan(10), RateBasisPoints: bp(5000)},
			validity:   c.years(0, 1),
			howToApply: "企业通过西湖区龙井茶叶商会或西湖区文创工艺品协会申报。",
			office:     officeXihu,
			docTitle:   "西湖区文化和茶产业出海行动方案（演示）", docNumber: "西政办〔演示〕2号",
			tags:     tags("西湖", "龙井茶", "品牌出海"),
			criteria: crits(critStore, critMember),
			target:   statusPublish,
		},
		{
			key: "sc-silk-live", title: "上城区丝绸女装直播跨境电商补助（草案）", issuer: "上城区人民政府", level: districtLv,
			districts:  ds(shangcheng),
			industries: inds(silk, apparel),
			categories: cats(catOnboarding, catFunding),
			summary:    "草案：上城区丝绸、女装企业在TikTok Shop或自营独立站开展海外直播销售的，按直播运营投入的40%给予补助，最高10万元。",
			background: "为推动四季青女装和上城丝绸产业借助海外直播拓展市场，拟对企业开展海外直播电商给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按海外直播运营投入的40%给予补助，单个企业最高10万元。", MaxAmountFen: wan(10), RateBasisPoints: bp(4000)},
			validity:   c.years(0, 1),
			howToApply: "待正式发布。",
			office:     officeShangcheng,
			docTitle:   "上城区丝绸女装直播出海扶持办法（草案）（演示）",
			tags:       tags("上城", "直播电商", "草案"),
			criteria: crits(
				onPlatforms("live", "在TikTok Shop或自营独立站开展海外直播销售", tiktok, ownSite)),
			target: statusDraft,
		},
		{
			key: "gs-crafts-bags", title: "拱墅区运河工艺与箱包企业跨境电商扶持（草案）", issuer: "拱墅区人民政府", level: districtLv,
			districts:  ds(gongshu),
			industries: inds(crafts, bags, apparel),
			categories: cats(catFunding),
			summary:    "草案：拱墅区工艺美术、箱包皮具和服装企业在Etsy、亚马逊、独立站等渠道销售、上年出口额50万元以上的，按推广投入的30%给予补助，最高10万元。",
			background: "为推动运河沿线工艺美术和箱包企业开拓海外市场，拟对企业跨境电商推广投入给予补助。",
			benefit:    &catalogv1.Benefit{Description: "按跨境电商推广投入的30%给予补助，单个企业最高10万元。", MaxAmountFen: wan(10), RateBasisPoints: bp(3000)},
			validity:   c.years(0, 1),
			howToApply: "待正式发布。",
			office:     officeGongshu,
			docTitle:   "拱墅区跨境电商扶持办法（草案）（演示）",
			tags:       tags("拱墅", "工艺品", "箱包", "草案"),
			criteria: crits(
				onPlatforms("platform", "在Etsy、亚马逊、Temu、SHEIN或自营独立站销售", etsy, amazon, temu, shein, ownSite),
				exportAtLeast(50)),
			target: statusDraft,
		},
		// The last policy marks a completed load: keep it plain and
		// published.
		{
			key: "hz-service-voucher", title: "跨境电商出海服务券", issuer: "杭州市商务局", level: municipal,
			stages:     stgs(stageNone, stageExploring, stageStore, stageOrder),
			categories: cats(catTalent, catOnboarding),
			summary:    "尚未稳定出口的“百社千企”会员企业，可领取出海服务券，用于出海诊断、选品选市场、平台开店和专家一对一咨询，每家每年最高2万元。",
			background: "为帮助起步阶段的企业迈出跨境电商第一步，市商务局向“百社千企”行动的会员企业发放出海服务券，用于购买入库服务机构的专业服务。",
			benefit:    &catalogv1.Benefit{Description: "服务券按服务费用的80%抵扣，每家企业每年最高2万元。", MaxAmountFen: wan(2), RateBasisPoints: bp(8000)},
			validity:   c.years(0, 1),
			howToApply: "企业在Qihang平台（演示）预约专家咨询或入库服务机构的服务时直接使用，由所属协会确认会员身份。",
			applyURL:   true, office: officeHZEcom,
			docTitle: "“百社千企 跨境启航”行动出海服务券管理办法（演示）", docNumber: "杭商务〔演示〕20号",
			tags:     tags("服务券", "百社千企", "首次出海", "专家咨询"),
			criteria: crits(critMember),
			target:   statusPublish,
		},
	}
}

// planPolicies builds the demo policies for a load at now.
func planPolicies(now time.Time) []plannedPolicy {
	seeds := policySeeds(newCalendar(now))
	out := make([]plannedPolicy, len(seeds))
	for i, s := range seeds {
		p := &catalogv1.Policy{
			Title:             s.title,
			Issuer:            s.issuer,
			Level:             s.level,
			Districts:         s.districts,
			Industries:        s.industries,
			Stages:            s.stages,
			Categories:        s.categories,
			Summary:           demoMark + s.summary,
			Benefit:           s.benefit,
			Validity:          s.validity,
			ApplicationWindow: s.window,
			HowToApply:        s.howToApply,
			EnquiryContact:    s.office,
			Tags:              append([]string{DemoTag}, s.tags...),
			Criteria:          s.criteria,
			Sample:            true,
			Source: &catalogv1.PolicySource{
				DocumentTitle:  s.docTitle,
				DocumentNumber: s.docNumber,
				Url:            "https://example.org/qihang-demo/policies/" + s.key,
			},
		}
		if start := s.validity.GetStartTime(); start != nil {
			p.Source.IssueTime = timestamppb.New(start.AsTime().AddDate(0, 0, -20))
		}
		if s.applyURL {
			p.ApplyUrl = "https://example.org/qihang-demo/apply/" + s.key
		}
		final := s.validity
		if s.ended != nil {
			final = s.ended
		}
		p.FullText = fullText(s, final)
		out[i] = plannedPolicy{key: s.key, policy: p, target: s.target, ended: s.ended, note: s.note}
	}
	return out
}

// fullText writes the policy text: a demo notice, then the articles.
func fullText(s policySeed, validity *commonv1.TimeWindow) string {
	var b strings.Builder
	b.WriteString(demoMark + "本文为“百社千企 跨境启航”本地演示环境的虚构政策文本，发文单位、文号、金额和联系方式均为示例，不具有任何效力。\n\n")
	b.WriteString(s.docTitle)
	if s.docNumber != "" {
		b.WriteString("\n" + s.docNumber)
	}
	b.WriteString("\n\n第一条 " + s.background + "\n\n")

	var who []string
	if len(s.districts) > 0 {
		who = append(who, "在"+labels(s.districts)+"依法登记注册")
	} else {
		who = append(who, "在杭州市依法登记注册")
	}
	if len(s.industries) > 0 {
		who = append(who, "所属行业为"+labels(s.industries))
	}
	if len(s.stages) > 0 {
		who = append(who, "跨境电商发展阶段为"+labels(s.stages))
	}
	b.WriteString("第二条 本政策支持" + strings.Join(who, "、") + "的企业。申报企业应同时符合下列条件：\n")
	for i, c := range s.criteria {
		fmt.Fprintf(&b, "（%s）%s；\n", chineseNumber(i+1), c.GetDescription())
	}
	fmt.Fprintf(&b, "（%s）近三年无严重失信行为，未发生重大安全生产、环境污染和产品质量事故。\n\n", chineseNumber(len(s.criteria)+1))
	b.WriteString("第三条 支持内容：" + s.benefit.GetDescription() + "同一项目已获得其他同类财政资金支持的，不重复支持。\n\n")
	b.WriteString("第四条 申报方式：" + s.howToApply + "\n\n")
	b.WriteString("第五条 " + validityText(validity) + "由" + firstIssuer(s.issuer) + "负责解释。\n")
	return b.String()
}

func labels[E protoreflect.Enum](vals []E) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = refdata.Label(v)
	}
	return strings.Join(out, "、")
}

func firstIssuer(issuer string) string {
	first, _, _ := strings.Cut(issuer, "、")
	return first
}

func validityText(w *commonv1.TimeWindow) string {
	date := func(t time.Time) string {
		t = t.In(shanghai)
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	switch {
	case w.GetStartTime() != nil && w.GetEndTime() != nil:
		return "本政策自" + date(w.GetStartTime().AsTime()) + "起施行，有效期至" + date(w.GetEndTime().AsTime().AddDate(0, 0, -1)) + "。"
	case w.GetStartTime() != nil:
		return "本政策自" + date(w.GetStartTime().AsTime()) + "起施行。"
	}
	return ""
}

func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n <= 10 {
		return digits[n]
	}
	if n < 20 {
		return "十" + digits[n-10]
	}
	return fmt.Sprint(n)
}

// PolicyTitles lists the demo policies' titles as a load today would create
// them, for the README. It does not touch any store.
func PolicyTitles() []string {
	plan := planPolicies(time.Now())
	out := make([]string, len(plan))
	for i, p := range plan {
		out[i] = p.policy.GetTitle()
	}
	return out
}
