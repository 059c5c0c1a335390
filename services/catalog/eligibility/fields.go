package eligibility

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// field indexes: the criterion environment's readable fields, in profile-form
// order. A Compiled records the fields it reads as a bit set over these, and a
// Subject records its unknown fields the same way, so "does this criterion
// touch an unknown?" is one AND.
const (
	fUSCC = iota
	fName
	fNameEN
	fDistrict
	fIndustry
	fMainProducts
	fHSCodes
	fRevenueBand
	fExportValueFen
	fEmployeesBand
	fStage
	fPlatforms
	fTargetMarkets
	fNeeds
	fAddress
	fWebsite
	fProgrammeMember
	fAssociationIDs
	fExportValueWanYuan
	fExporting
	fHSChapters
	fIndustryBeltIDs
	numFields
)

// fieldSet is a set of field indexes.
type fieldSet uint64

func (s fieldSet) has(i int) bool { return s&(1<<uint(i)) != 0 }

// Size bounds assumed by the static cost estimate. They are the profiles
// service's validation limits (20 HS codes, 50 markets, deduplicated enum
// lists, name and text lengths); a firm beyond them (e.g. an unsaved "what
// if" profile) is still evaluated, under the runtime cost limit.
const (
	maxHSCodes       = 20
	maxHSCodeLen     = 10
	maxMarkets       = 50
	maxPlatforms     = 17
	maxNeeds         = 12
	maxAssociations  = 50
	maxBelts         = 20
	maxIDLen         = 64
	maxUSCCLen       = 18
	maxNameRunes     = 100
	maxNameENLen     = 200
	maxProductsRunes = 500
	maxAddressRunes  = 200
	maxWebsiteLen    = 200
	maxHSChapterLen  = 2
	maxMarketCodeLen = 2
)

// fieldSpec describes one readable field: how criteria name it, how it is
// shown, when it is unknown and how large it can be.
type fieldSpec struct {
	path  string // "firm.stage"
	owner string // "firm" or "facts"
	name  string // proto field name, "stage"
	// label is the Chinese label of the field in the environment and in
	// FieldRefs; display is the label used in firm_value when different
	// (facts.annual_export_value_wan_yuan shows as "上年出口额").
	label, display string
	celType        string
	description    string
	unknownWhen    string
	codeList       string
	// maxSize and maxItemSize bound size() of the field and of its items for
	// the static cost estimate; 0 means not sized.
	maxSize, maxItemSize uint64
	// settles lists the profile fields whose absence leaves this field
	// unknown (facts point back to the firm fields they derive from); nil
	// means the field itself.
	settles []int
}

var fields = [numFields]fieldSpec{
	fUSCC: {path: "firm.uscc", label: "统一社会信用代码", celType: "string",
		description: "18位统一社会信用代码（GB 32100-2015），第1–2位为登记管理部门和机构类别代码，如“91”为企业",
		unknownWhen: "为空时", maxSize: maxUSCCLen},
	fName: {path: "firm.name", label: "企业名称", celType: "string",
		description: "营业执照上的企业全称", unknownWhen: "为空时", maxSize: maxNameRunes},
	fNameEN: {path: "firm.name_en", label: "英文名称", celType: "string",
		description: "英文名称，选填", unknownWhen: "为空时", maxSize: maxNameENLen},
	fDistrict: {path: "firm.district", label: "所在区县", celType: "qihang.common.v1.District",
		description: "企业所在的区、县（市），如 District.DISTRICT_XIAOSHAN（萧山区）；枚举值按整数比较",
		unknownWhen: "值为未指定（DISTRICT_UNSPECIFIED）时", codeList: "district"},
	fIndustry: {path: "firm.industry", label: "所属行业", celType: "qihang.common.v1.Industry",
		description: "企业所属行业，如 Industry.INDUSTRY_APPAREL（服装服饰）",
		unknownWhen: "值为未指定（INDUSTRY_UNSPECIFIED）时", codeList: "industry"},
	fMainProducts: {path: "firm.main_products", label: "主营产品", celType: "string",
		description: "主营产品的文字描述，如“女装连衣裙、针织衫”", unknownWhen: "为空时", maxSize: maxProductsRunes},
	fHSCodes: {path: "firm.hs_codes", label: "HS编码", celType: "list(string)",
		description: "主要出口商品的海关HS编码，每个6至10位数字，最多20个；按章判断请用 facts.hs_chapters",
		unknownWhen: "列表为空时", maxSize: maxHSCodes, maxItemSize: maxHSCodeLen},
	fRevenueBand: {path: "firm.revenue_band", label: "营业收入", celType: "qihang.common.v1.RevenueBand",
		description: "上年营业收入区间，区间按从小到大编号，可用 >= 比较，如 firm.revenue_band >= RevenueBand.REVENUE_BAND_20M_TO_100M 表示2000万元以上",
		unknownWhen: "值为未填写（REVENUE_BAND_UNSPECIFIED）时", codeList: "revenue_band"},
	fExportValueFen: {path: "firm.annual_export_value_fen", label: "上年出口额", celType: "int",
		description: "上年出口额，单位为分（1元=100分，1万元=1000000分）；按万元比较请用 facts.annual_export_value_wan_yuan",
		unknownWhen: "未填写时（0表示已知没有出口）"},
	fEmployeesBand: {path: "firm.employees_band", label: "员工人数", celType: "qihang.common.v1.EmployeesBand",
		description: "员工人数区间，区间按从小到大编号，可用 <= 比较，如 firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_100_TO_299 表示300人以下",
		unknownWhen: "值为未填写（EMPLOYEES_BAND_UNSPECIFIED）时", codeList: "employees_band"},
	fStage: {path: "firm.stage", label: "跨境电商阶段", celType: "qihang.common.v1.CrossBorderStage",
		description: "跨境电商发展阶段，依次为尚未开展、了解探索中、已开店、已出单、稳定出口、海外仓/品牌出海，可用 >= 比较，如 firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER 表示已出单",
		unknownWhen: "值为未填写（CROSS_BORDER_STAGE_UNSPECIFIED）时；“尚未开展”是已知值", codeList: "cross_border_stage"},
	fPlatforms: {path: "firm.platforms", label: "销售平台", celType: "list(qihang.common.v1.SalesPlatform)",
		description: "当前在售的跨境电商平台，如 SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms",
		unknownWhen: "列表为空时；但跨境电商阶段为“尚未开展”或“了解探索中”时，空列表表示已知没有平台",
		codeList:    "sales_platform", maxSize: maxPlatforms},
	fTargetMarkets: {path: "firm.target_markets", label: "目标市场", celType: "list(string)",
		description: "目标市场的ISO 3166-1二位国家代码，如 'US' in firm.target_markets",
		unknownWhen: "列表为空时", codeList: "market", maxSize: maxMarkets, maxItemSize: maxMarketCodeLen},
	fNeeds: {path: "firm.needs", label: "需求", celType: "list(qihang.common.v1.NeedTag)",
		description: "企业当前需要的帮助，如 NeedTag.NEED_TAG_OVERSEAS_WAREHOUSE in firm.needs",
		unknownWhen: "列表为空时", codeList: "need_tag", maxSize: maxNeeds},
	fAddress: {path: "firm.address", label: "地址", celType: "string",
		description: "办公或生产地址，如 firm.address.contains('新塘街道')", unknownWhen: "为空时", maxSize: maxAddressRunes},
	fWebsite: {path: "firm.website", label: "网址", celType: "string",
		description: "企业网站（http或https）", unknownWhen: "为空时", maxSize: maxWebsiteLen},
	fProgrammeMember: {path: "facts.programme_member", label: "百社千企协会会员", celType: "bool",
		description: "是否为至少一家已加入“百社千企 跨境启航”行动的协会的会员企业"},
	fAssociationIDs: {path: "facts.association_ids", label: "所属协会", celType: "list(string)",
		description: "企业所属协会的编号，如 'assoc-123' in facts.association_ids；没有所属协会时为空列表",
		maxSize:     maxAssociations, maxItemSize: maxIDLen},
	fExportValueWanYuan: {path: "facts.annual_export_value_wan_yuan", label: "上年出口额（万元）", display: "上年出口额", celType: "int",
		description: "上年出口额，单位为万元，向下取整，如 facts.annual_export_value_wan_yuan >= 500 表示不低于500万元",
		unknownWhen: "上年出口额未填写时", settles: []int{fExportValueFen}},
	fExporting: {path: "facts.exporting", label: "已跨境出单", celType: "bool",
		description: "跨境电商阶段为已出单或之后（稳定出口、海外仓/品牌出海）",
		unknownWhen: "跨境电商阶段未填写时", settles: []int{fStage}},
	fHSChapters: {path: "facts.hs_chapters", label: "HS章号", celType: "list(string)",
		description: "HS编码的前两位（章号），去重，如 '62' in facts.hs_chapters 表示梭织服装",
		unknownWhen: "HS编码未填写时", maxSize: maxHSCodes, maxItemSize: maxHSChapterLen, settles: []int{fHSCodes}},
	fIndustryBeltIDs: {path: "facts.industry_belt_ids", label: "所在产业带", celType: "list(string)",
		description: "与企业所在区县和所属行业相同的已发布一区一品产业带编号；没有对应产业带时为空列表",
		unknownWhen: "所在区县或所属行业未填写时", maxSize: maxBelts, maxItemSize: maxIDLen,
		settles: []int{fDistrict, fIndustry}},
}

// fieldByPath maps "firm.stage" to its index; sizeBounds maps cost-estimator
// paths ("firm.hs_codes", "firm.hs_codes.@items") to their maximum size.
var fieldByPath, sizeBounds = func() (map[string]int, map[string]uint64) {
	byPath := make(map[string]int, numFields)
	sizes := make(map[string]uint64)
	for i := range fields {
		f := &fields[i]
		f.owner, f.name, _ = strings.Cut(f.path, ".")
		if f.display == "" {
			f.display = f.label
		}
		byPath[f.path] = i
		if f.maxSize > 0 {
			sizes[f.path] = f.maxSize
		}
		if f.maxItemSize > 0 {
			sizes[f.path+".@items"] = f.maxItemSize
		}
	}
	return byPath, sizes
}()

// fieldRef returns a fresh FieldRef for field i.
func fieldRef(i int) *catalogv1.FieldRef {
	return &catalogv1.FieldRef{Path: fields[i].path, Label: fields[i].label}
}

// fieldValues holds one subject's values of every field, rendered for
// firm_value, and which fields are unknown.
type fieldValues struct {
	unknown fieldSet
	// oversized marks fields larger than the size bounds the static cost
	// estimate assumed.
	oversized fieldSet
	// parts[i] is "label：value" for field i.
	parts [numFields]string
	// missing[i] lists the profile fields that would settle field i when it
	// is unknown.
	missing [numFields][]int
}

const notFilled = "未填写"

func (v *fieldValues) set(i int, unknown bool, value string) {
	if unknown {
		v.unknown |= 1 << uint(i)
		value = notFilled
		if s := fields[i].settles; s != nil {
			v.missing[i] = s
		} else {
			v.missing[i] = []int{i}
		}
	}
	v.parts[i] = fields[i].display + "：" + value
}

// renderValues computes the unknown set and the rendered values of firm and
// facts. See the package comment for the rules.
func renderValues(firm *profilesv1.Firm, facts *catalogv1.FirmFacts, membershipUnknown bool) *fieldValues {
	v := &fieldValues{}
	str := func(i int, s string) { v.set(i, s == "", s) }
	str(fUSCC, firm.GetUscc())
	str(fName, firm.GetName())
	str(fNameEN, firm.GetNameEn())
	enum := func(i int, e protoreflect.Enum) { v.set(i, e.Number() == 0, refdata.Label(e)) }
	enum(fDistrict, firm.GetDistrict())
	enum(fIndustry, firm.GetIndustry())
	str(fMainProducts, firm.GetMainProducts())
	v.set(fHSCodes, len(firm.GetHsCodes()) == 0, strings.Join(firm.GetHsCodes(), "、"))
	enum(fRevenueBand, firm.GetRevenueBand())
	v.set(fExportValueFen, !hasExportValue(firm), formatFen(firm.GetAnnualExportValueFen()))
	enum(fEmployeesBand, firm.GetEmployeesBand())
	enum(fStage, firm.GetStage())

	platforms := firm.GetPlatforms()
	noneYet := firm.GetStage() == commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE ||
		firm.GetStage() == commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING
	v.set(fPlatforms, len(platforms) == 0 && !noneYet, orNone(enumLabels(platforms)))

	markets := make([]string, len(firm.GetTargetMarkets()))
	for i, m := range firm.GetTargetMarkets() {
		if n := refdata.MarketName(m); n != "" {
			markets[i] = n
		} else {
			markets[i] = m
		}
	}
	v.set(fTargetMarkets, len(markets) == 0, strings.Join(markets, "、"))
	v.set(fNeeds, len(firm.GetNeeds()) == 0, enumLabels(firm.GetNeeds()))
	str(fAddress, firm.GetAddress())
	str(fWebsite, firm.GetWebsite())

	v.set(fProgrammeMember, membershipUnknown, yesNo(facts.GetProgrammeMember()))
	v.set(fAssociationIDs, membershipUnknown, orNone(associationNames(firm, facts.GetAssociationIds())))
	v.set(fExportValueWanYuan, facts == nil || facts.AnnualExportValueWanYuan == nil,
		strconv.FormatInt(facts.GetAnnualExportValueWanYuan(), 10)+"万元")
	v.set(fExporting, facts == nil || facts.Exporting == nil, yesNo(facts.GetExporting()))
	v.set(fHSChapters, len(facts.GetHsChapters()) == 0, strings.Join(facts.GetHsChapters(), "、"))
	beltsUnknown := firm.GetDistrict() == 0 || firm.GetIndustry() == 0
	v.set(fIndustryBeltIDs, beltsUnknown, orNone(strings.Join(facts.GetIndustryBeltIds(), "、")))
	if beltsUnknown {
		// Only the unfilled one of the two settles it.
		var m []int
		for _, i := range []int{fDistrict, fIndustry} {
			if v.unknown.has(i) {
				m = append(m, i)
			}
		}
		v.missing[fIndustryBeltIDs] = m
	}

	sizes := [...]struct {
		i int
		n int
	}{
		{fUSCC, utf8.RuneCountInString(firm.GetUscc())},
		{fName, utf8.RuneCountInString(firm.GetName())},
		{fNameEN, utf8.RuneCountInString(firm.GetNameEn())},
		{fMainProducts, utf8.RuneCountInString(firm.GetMainProducts())},
		{fHSCodes, len(firm.GetHsCodes())},
		{fPlatforms, len(platforms)},
		{fTargetMarkets, len(firm.GetTargetMarkets())},
		{fNeeds, len(firm.GetNeeds())},
		{fAddress, utf8.RuneCountInString(firm.GetAddress())},
		{fWebsite, utf8.RuneCountInString(firm.GetWebsite())},
		{fAssociationIDs, len(facts.GetAssociationIds())},
		{fHSChapters, len(facts.GetHsChapters())},
		{fIndustryBeltIDs, len(facts.GetIndustryBeltIds())},
	}
	for _, s := range sizes {
		if uint64(s.n) > fields[s.i].maxSize {
			v.oversized |= 1 << uint(s.i)
		}
	}
	items := [...]struct {
		i    int
		list []string
	}{
		{fHSCodes, firm.GetHsCodes()},
		{fTargetMarkets, firm.GetTargetMarkets()},
		{fAssociationIDs, facts.GetAssociationIds()},
		{fHSChapters, facts.GetHsChapters()},
		{fIndustryBeltIDs, facts.GetIndustryBeltIds()},
	}
	for _, it := range items {
		for _, s := range it.list {
			if uint64(utf8.RuneCountInString(s)) > fields[it.i].maxItemSize {
				v.oversized |= 1 << uint(it.i)
				break
			}
		}
	}
	return v
}

// formatFen renders an amount in fen as 万元 with up to two decimals
// (rounded down), e.g. 320000000 → "320万元", 325050000 → "325.05万元";
// amounts under 0.01万元 are shown in 元.
func formatFen(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	sign := ""
	if neg {
		sign = "-"
	}
	wan, rest := fen/1_000_000, fen%1_000_000
	cents := rest / 10_000 // hundredths of a 万元
	switch {
	case fen == 0:
		return "0万元"
	case wan == 0 && cents == 0:
		yuan, f := fen/100, fen%100
		if f == 0 {
			return sign + strconv.FormatInt(yuan, 10) + "元"
		}
		return sign + strconv.FormatInt(yuan, 10) + "." + twoDigits(f) + "元"
	case cents == 0:
		return sign + strconv.FormatInt(wan, 10) + "万元"
	default:
		return sign + strconv.FormatInt(wan, 10) + "." + twoDigits(cents) + "万元"
	}
}

// twoDigits renders 0–99 with two digits and without trailing zeros ("05",
// "5" for 50).
func twoDigits(n int64) string {
	s := strconv.FormatInt(n+100, 10)[1:]
	return strings.TrimSuffix(s, "0")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}

// enumLabels joins the Chinese labels of enum values with "、".
func enumLabels[E protoreflect.Enum](vals []E) string {
	parts := make([]string, len(vals))
	for i, e := range vals {
		parts[i] = refdata.Label(e)
	}
	return strings.Join(parts, "、")
}

// associationNames shows association ids by name where the firm's
// memberships carry one.
func associationNames(firm *profilesv1.Firm, ids []string) string {
	names := make(map[string]string, len(firm.GetMemberships()))
	for _, m := range firm.GetMemberships() {
		if m.GetAssociationName() != "" {
			names[m.GetAssociationId()] = m.GetAssociationName()
		}
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		if n := names[id]; n != "" {
			parts[i] = n
		} else {
			parts[i] = id
		}
	}
	return strings.Join(parts, "、")
}
