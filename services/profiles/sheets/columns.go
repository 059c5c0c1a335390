package sheets

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
	"google.golang.org/protobuf/reflect/protoreflect"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// Column headers, without the "*" that marks required columns in the
// template. CellError.Column is always one of these.
const (
	ColUSCC          = "统一社会信用代码"
	ColName          = "企业名称"
	ColNameEN        = "英文名称"
	ColDistrict      = "所在区县"
	ColIndustry      = "所属行业"
	ColMainProducts  = "主营产品"
	ColHSCodes       = "HS编码"
	ColRevenueBand   = "营业收入区间"
	ColExportValue   = "年出口额（万元）"
	ColEmployeesBand = "员工人数区间"
	ColStage         = "跨境电商阶段"
	ColPlatforms     = "销售平台"
	ColTargetMarkets = "目标市场"
	ColNeeds         = "需求"
	ColContactName   = "联系人"
	ColContactTitle  = "职务"
	ColContactPhone  = "联系电话"
	ColContactEmail  = "邮箱"
	ColAddress       = "地址"
	ColWebsite       = "网址"
	// ColAssociations is the export's trailing, informational column; import
	// ignores it (memberships are not edited through spreadsheets).
	ColAssociations = "所属协会"
)

// requiredMark marks required columns in headers.
const requiredMark = "*"

// listSeparator joins several values in one cell on export.
const listSeparator = "、"

// maxListItems bounds the values read from one multi-valued cell, so a
// pathological cell cannot make parsing slow; the domain limits are lower.
const maxListItems = 100

// rowBuilder collects one row's values while its cells are converted.
type rowBuilder struct {
	firm    *domain.Firm
	contact domain.Contact
	// xlsx is set when cells come from a workbook, whose numeric cells carry
	// raw binary-float text ("1234.5600000000001").
	xlsx bool
}

// column describes one spreadsheet column. The table below drives parsing,
// the template and the export.
type column struct {
	header   string
	required bool
	// field is the domain validation field path the column holds
	// ("hs_codes"; "contacts.phone" for a contact's phone).
	field string
	// width is the column width in the template and the export.
	width float64
	// text columns are formatted as text ("@") in the template and the
	// export, so Excel keeps codes and phone numbers as typed.
	text bool
	// maxRunes bounds the cell before conversion, so messages never echo
	// huge values and pathological cells stay cheap.
	maxRunes int
	// multi columns hold several values separated by 、 , ; or spaces.
	multi bool
	// choices lists the drop-down values (nil: free input).
	choices func() []string
	// note is the 填写说明 text.
	note string
	// set converts a trimmed, non-empty cell into the row; it returns the
	// broken rules in Chinese.
	set func(r *rowBuilder, v string) []string
	// get returns the export cell value: a string, a float64, or nil.
	get func(f *domain.Firm, reveal bool) any
}

// columns is the column table, in template order.
var columns = []column{
	{
		header: ColUSCC, required: true, field: "uscc", width: 22, text: true, maxRunes: 40,
		note: "18位，见营业执照；同一文件内不可重复。已登记的企业按此代码更新，不会重复创建。",
		set: func(r *rowBuilder, v string) []string {
			v = width.Narrow.String(v)
			r.firm.USCC = v
			if looksLikeFloat(v) || (r.xlsx && lostDigits(v)) {
				return []string{fmt.Sprintf("统一社会信用代码“%s”被Excel存成了数字，末尾数位已丢失：请先把该列设为“文本”格式，再重新填写完整代码", clip(v))}
			}
			return nil
		},
		get: func(f *domain.Firm, _ bool) any { return f.USCC },
	},
	{
		header: ColName, required: true, field: "name", width: 30, text: true, maxRunes: domain.MaxNameRunes,
		note: "营业执照上的企业全称，2至100个字。",
		set:  func(r *rowBuilder, v string) []string { r.firm.Name = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return f.Name },
	},
	{
		header: ColNameEN, field: "name_en", width: 30, text: true, maxRunes: domain.MaxNameENLength,
		note: "选填，英文名称，不超过200个字符。",
		set:  func(r *rowBuilder, v string) []string { r.firm.NameEN = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return f.NameEN },
	},
	singleEnum(ColDistrict, "district", "区县", true, 12,
		func(f *domain.Firm) *commonv1.District { return &f.District }),
	singleEnum(ColIndustry, "industry", "行业", true, 14,
		func(f *domain.Firm) *commonv1.Industry { return &f.Industry }),
	{
		header: ColMainProducts, field: "main_products", width: 30, text: true, maxRunes: domain.MaxProductsRunes,
		note: "选填，主要产品，不超过500个字。",
		set:  func(r *rowBuilder, v string) []string { r.firm.MainProducts = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return f.MainProducts },
	},
	{
		header: ColHSCodes, field: "hs_codes", width: 22, text: true, multi: true, maxRunes: 1000,
		note: fmt.Sprintf("选填，主要出口商品的海关HS编码，每个6至10位数字（可带“.”），最多%d个，多个用“、”分隔。以0开头的编码请把单元格设为文本格式。", domain.MaxHSCodes),
		set:  setHSCodes,
		get:  func(f *domain.Firm, _ bool) any { return strings.Join(f.HSCodes, listSeparator) },
	},
	singleEnum(ColRevenueBand, "revenue_band", "区间", false, 16,
		func(f *domain.Firm) *commonv1.RevenueBand { return &f.RevenueBand }),
	{
		header: ColExportValue, field: "annual_export_value_fen", width: 16, maxRunes: 64,
		note: "选填，上一年度出口额，以万元为单位的数字，如“12.5”表示12.5万元；可用千位分隔符；未知请留空，没有出口请填0。",
		set: func(r *rowBuilder, v string) []string {
			fen, rule := parseWanYuan(v, r.xlsx)
			if rule != "" {
				return []string{rule}
			}
			r.firm.AnnualExportValueFen = &fen
			return nil
		},
		get: func(f *domain.Firm, _ bool) any {
			if f.AnnualExportValueFen == nil {
				return nil
			}
			return fenToWan(*f.AnnualExportValueFen)
		},
	},
	singleEnum(ColEmployeesBand, "employees_band", "区间", false, 14,
		func(f *domain.Firm) *commonv1.EmployeesBand { return &f.EmployeesBand }),
	singleEnum(ColStage, "stage", "阶段", false, 16,
		func(f *domain.Firm) *commonv1.CrossBorderStage { return &f.Stage }),
	multiEnum(ColPlatforms, "platforms", "平台", 26,
		func(f *domain.Firm) *[]commonv1.SalesPlatform { return &f.Platforms }),
	{
		header: ColTargetMarkets, field: "target_markets", width: 22, multi: true, maxRunes: 1000,
		note:    fmt.Sprintf("选填，目标市场，填写国家中文名称（如“美国”“德国”）或ISO二位代码（如US、DE），最多%d个，多个用“、”分隔；欧盟、东南亚等地区请拆分为具体国家。", domain.MaxMarkets),
		choices: commonMarketNames,
		set:     setMarkets,
		get: func(f *domain.Firm, _ bool) any {
			names := make([]string, len(f.TargetMarkets))
			for i, code := range f.TargetMarkets {
				names[i] = marketLabel(code)
			}
			return strings.Join(names, listSeparator)
		},
	},
	multiEnum(ColNeeds, "needs", "需求", 26,
		func(f *domain.Firm) *[]commonv1.NeedTag { return &f.Needs }),
	{
		header: ColContactName, field: "contacts.name", width: 10, text: true, maxRunes: domain.MaxContactNameRunes,
		note: "选填，联系人姓名；填写了联系人时，联系电话和邮箱至少填一项。",
		set:  func(r *rowBuilder, v string) []string { r.contact.Name = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return firstContact(f).Name },
	},
	{
		header: ColContactTitle, field: "contacts.title", width: 12, text: true, maxRunes: domain.MaxContactTitleRunes,
		note: "选填，联系人职务，如“外贸经理”。",
		set:  func(r *rowBuilder, v string) []string { r.contact.Title = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return firstContact(f).Title },
	},
	{
		header: ColContactPhone, field: "contacts.phone", width: 16, text: true, maxRunes: 40,
		note: "选填，一个号码：11位手机号，或带区号的座机（如0571-87654321）。",
		set:  setPhone,
		get: func(f *domain.Firm, reveal bool) any {
			p := firstContact(f).Phone
			if !reveal {
				p = contact.MaskPhone(p)
			}
			return p
		},
	},
	{
		header: ColContactEmail, field: "contacts.email", width: 24, text: true, maxRunes: 254,
		note: "选填，一个邮箱地址。",
		set:  setEmail,
		get: func(f *domain.Firm, reveal bool) any {
			e := firstContact(f).Email
			if !reveal {
				e = contact.MaskEmail(e)
			}
			return e
		},
	},
	{
		header: ColAddress, field: "address", width: 30, text: true, maxRunes: domain.MaxAddressRunes,
		note: "选填，经营地址，不超过200个字。",
		set:  func(r *rowBuilder, v string) []string { r.firm.Address = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return f.Address },
	},
	{
		header: ColWebsite, field: "website", width: 26, text: true, maxRunes: domain.MaxWebsiteLength,
		note: "选填，以http://或https://开头的网址。",
		set:  func(r *rowBuilder, v string) []string { r.firm.Website = v; return nil },
		get:  func(f *domain.Firm, _ bool) any { return f.Website },
	},
}

// fieldColumns maps validation field paths (indexes removed) to headers.
var fieldColumns = func() map[string]string {
	m := map[string]string{"contacts": ColContactName}
	for _, c := range columns {
		m[c.field] = c.header
	}
	return m
}()

// columnsByKey maps normalized headers to columns.
var columnsByKey = func() map[string]*column {
	m := make(map[string]*column, len(columns))
	for i := range columns {
		m[headerKey(columns[i].header)] = &columns[i]
	}
	return m
}()

// Headers returns the template's header row: every column in order, required
// ones marked with "*".
func Headers() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.displayHeader()
	}
	return out
}

func (c *column) displayHeader() string {
	if c.required {
		return c.header + requiredMark
	}
	return c.header
}

// enumValue is a contract enum such as commonv1.District.
type enumValue interface {
	~int32
	protoreflect.Enum
}

func enumDescriptor[E enumValue]() protoreflect.EnumDescriptor {
	var zero E
	return zero.Descriptor()
}

func enumLabels(ed protoreflect.EnumDescriptor) []string {
	codes := refdata.EnumCodes(ed)
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.Label
	}
	return out
}

// singleEnum makes a column holding one value of enum E, written as its
// Chinese label; noun names the kind of value in messages ("区县").
func singleEnum[E enumValue](header, field, noun string, required bool, width float64, slot func(*domain.Firm) *E) column {
	ed := enumDescriptor[E]()
	note := "从下拉列表选择。"
	if required {
		note = "必填，" + note
	} else {
		note = "选填，" + note
	}
	return column{
		header: header, required: required, field: field, width: width, maxRunes: 100,
		note:    note + "可选值：" + refdata.Labels(ed) + "。",
		choices: func() []string { return enumLabels(ed) },
		set: func(r *rowBuilder, v string) []string {
			n, ok := refdata.ParseEnum(ed, v)
			if !ok {
				return []string{unknownChoice(header, noun, v, ed, false)}
			}
			*slot(r.firm) = E(n)
			return nil
		},
		get: func(f *domain.Firm, _ bool) any {
			v := *slot(f)
			if !refdata.Defined(v) {
				return ""
			}
			return refdata.Label(v)
		},
	}
}

// multiEnum makes a column holding several values of enum E.
func multiEnum[E enumValue](header, field, noun string, width float64, slot func(*domain.Firm) *[]E) column {
	ed := enumDescriptor[E]()
	return column{
		header: header, field: field, width: width, multi: true, maxRunes: 1000,
		note:    "选填，可多选，多个用“、”分隔（下拉列表每次选一个，多个请手工输入）。可选值：" + refdata.Labels(ed) + "。",
		choices: func() []string { return enumLabels(ed) },
		set: func(r *rowBuilder, v string) []string {
			vals, bad, tooMany := splitParse(v, func(s string) (E, bool) {
				n, ok := refdata.ParseEnum(ed, s)
				return E(n), ok
			})
			*slot(r.firm) = vals
			var errs []string
			for _, b := range bad {
				errs = append(errs, unknownChoice(header, noun, b, ed, true))
			}
			if tooMany {
				errs = append(errs, fmt.Sprintf("%s填写的值过多，最多%d个", header, maxListItems))
			}
			return errs
		},
		get: func(f *domain.Firm, _ bool) any {
			vals := *slot(f)
			labels := make([]string, len(vals))
			for i, v := range vals {
				labels[i] = refdata.Label(v)
			}
			return strings.Join(labels, listSeparator)
		},
	}
}

// unknownChoice says that v is not a value of ed, suggesting the label v most
// likely meant ("萧山" → "萧山区") or else listing the allowed labels.
func unknownChoice(header, noun, v string, ed protoreflect.EnumDescriptor, multi bool) string {
	if s := suggest(v, enumLabels(ed)); s != "" {
		return fmt.Sprintf("%s“%s”无法识别，请填写如“%s”的%s名称", header, clip(v), s, noun)
	}
	msg := fmt.Sprintf("%s“%s”无法识别，可选值：%s", header, clip(v), refdata.Labels(ed))
	if multi {
		msg += "；多个值用“、”分隔"
	}
	return msg
}

// suggest returns the only label that contains v or is contained in v, if
// exactly one does; v must be at least two characters so that a stray "区"
// suggests nothing.
func suggest(v string, labels []string) string {
	if utf8.RuneCountInString(v) < 2 {
		return ""
	}
	found := ""
	for _, l := range labels {
		if strings.Contains(l, v) || strings.Contains(v, l) {
			if found != "" {
				return ""
			}
			found = l
		}
	}
	return found
}

// isHardSeparator reports the characters that always split a list cell
// (、 , ; in either width, line breaks). Spaces split too, but a run of words
// such as "TikTok Shop" is first tried as one value.
func isHardSeparator(r rune) bool {
	switch r {
	case '、', ',', ';', '，', '；', '\n', '\r':
		return true
	}
	return false
}

// maxWordsPerValue is the longest run of space-separated words tried as one
// value ("TikTok Shop" has two).
const maxWordsPerValue = 3

// splitParse splits a list cell and parses each value. Within a part between
// hard separators it matches the longest run of words first, so labels that
// contain spaces survive. It returns the parsed values in order, the parts it
// could not parse, and whether the cell held more than maxListItems values.
func splitParse[T any](v string, parse func(string) (T, bool)) (vals []T, bad []string, tooMany bool) {
	for part := range strings.FieldsFuncSeq(v, isHardSeparator) {
		words := strings.Fields(part)
		for i := 0; i < len(words); {
			if len(vals)+len(bad) >= maxListItems {
				return vals, bad, true
			}
			matched := false
			for j := min(len(words), i+maxWordsPerValue); j > i; j-- {
				if val, ok := parse(strings.Join(words[i:j], " ")); ok {
					vals = append(vals, val)
					i, matched = j, true
					break
				}
			}
			if !matched {
				bad = append(bad, words[i])
				i++
			}
		}
	}
	return vals, bad, false
}

// splitList splits a list cell on separators and spaces.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return isHardSeparator(r) || unicode.IsSpace(r) })
}

func setHSCodes(r *rowBuilder, v string) []string {
	items := splitList(v)
	var errs []string
	if len(items) > maxListItems {
		items = items[:maxListItems]
	}
	codes := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, item := range items {
		code := strings.ReplaceAll(width.Narrow.String(item), ".", "")
		if seen[code] {
			continue
		}
		seen[code] = true
		if !isASCIIDigits(code) {
			errs = append(errs, fmt.Sprintf("HS编码须为6至10位数字，“%s”含非数字字符", clip(item)))
			continue
		}
		if rule := refdata.ValidateHSCode(code); rule != "" {
			if len(code) > 10 {
				rule = fmt.Sprintf("HS编码须为6至10位数字，“%s”为%d位", clip(item), len(code))
			}
			errs = append(errs, rule)
			continue
		}
		codes = append(codes, code)
	}
	if len(seen) > domain.MaxHSCodes {
		errs = append(errs, fmt.Sprintf("HS编码最多%d个，当前%d个", domain.MaxHSCodes, len(seen)))
	}
	r.firm.HSCodes = codes
	return errs
}

func setMarkets(r *rowBuilder, v string) []string {
	codes, bad, tooMany := splitParse(v, refdata.ParseMarket)
	r.firm.TargetMarkets = codes
	var errs []string
	for _, b := range bad {
		msg := fmt.Sprintf("目标市场“%s”无法识别，请填写国家中文名称（如“德国”）或ISO二位代码（如DE）", clip(b))
		if regionNames[b] {
			msg += "；欧盟、东南亚等地区请拆分为具体国家"
		}
		errs = append(errs, msg)
	}
	if tooMany {
		errs = append(errs, fmt.Sprintf("目标市场填写的值过多，最多%d个", domain.MaxMarkets))
	}
	return errs
}

// regionNames are groups of countries people write where a country is
// needed.
var regionNames = map[string]bool{
	"欧盟": true, "欧洲": true, "东南亚": true, "中东": true, "北美": true, "南美": true, "拉美": true,
	"非洲": true, "东欧": true, "西欧": true, "中亚": true, "南亚": true, "亚洲": true, "美洲": true,
	"大洋洲": true, "全球": true, "EU": true,
}

// commonMarkets are the markets offered in the template's drop-down; any
// other country can be typed.
var commonMarkets = []string{
	"US", "CA", "MX", "BR", "CL", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "RU", "TR",
	"JP", "KR", "SG", "MY", "TH", "VN", "ID", "PH", "IN", "AE", "SA", "IL", "AU", "NZ",
	"ZA", "NG", "EG", "KZ", "HK",
}

func commonMarketNames() []string {
	out := make([]string, 0, len(commonMarkets))
	for _, code := range commonMarkets {
		out = append(out, marketLabel(code))
	}
	return out
}

// marketLabel returns the Chinese name of a market when it reads back as the
// same code, else the code.
func marketLabel(code string) string {
	name := refdata.MarketName(code)
	if back, ok := refdata.ParseMarket(name); name != "" && ok && back == code {
		return name
	}
	return code
}

func setPhone(r *rowBuilder, v string) []string {
	r.contact.Phone = v
	if contact.IsMaskedPhone(v) {
		return []string{fmt.Sprintf("联系电话“%s”是脱敏显示的号码，请填写完整号码", clip(v))}
	}
	if strings.ContainsAny(v, "/、,;，；|\n") {
		return []string{fmt.Sprintf("联系电话“%s”只能填写一个号码", clip(v))}
	}
	return nil
}

func setEmail(r *rowBuilder, v string) []string {
	r.contact.Email = v
	if contact.IsMaskedEmail(v) {
		return []string{fmt.Sprintf("邮箱“%s”是脱敏显示的地址，请填写完整邮箱", clip(v))}
	}
	if strings.ContainsAny(v, "/、,;，；| \n") {
		return []string{fmt.Sprintf("邮箱“%s”只能填写一个地址", clip(v))}
	}
	return nil
}

// lostDigits reports whether v is an invalid all-digit code whose tail was
// zeroed by Excel's 15-digit number precision (914403001922038216 stored as a
// number reads back as 914403001922038000).
func lostDigits(v string) bool {
	return len(v) > 15 && isASCIIDigits(v) && len(strings.TrimRight(v, "0")) <= 15 && uscc.Validate(v) != nil
}

func firstContact(f *domain.Firm) domain.Contact {
	if len(f.Contacts) == 0 {
		return domain.Contact{}
	}
	return f.Contacts[0]
}

// clipRunes is how much of a user's value messages quote.
const clipRunes = 30

// clip shortens s for quoting in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= clipRunes {
		return s
	}
	r := []rune(s)
	return string(r[:clipRunes]) + "…"
}
