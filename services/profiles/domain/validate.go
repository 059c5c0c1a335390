package domain

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/uscc"
)

// NormalizeFirm tidies user input in place: trims text, upper-cases the USCC
// and market codes, normalizes phones, and drops duplicate list entries. It
// never rejects anything; ValidateFirm does.
func NormalizeFirm(f *Firm) {
	f.USCC = uscc.Normalize(f.USCC)
	f.Name = strings.TrimSpace(f.Name)
	f.NameEN = strings.TrimSpace(f.NameEN)
	f.MainProducts = strings.TrimSpace(f.MainProducts)
	f.Address = strings.TrimSpace(f.Address)
	f.Website = strings.TrimSpace(f.Website)
	for i, c := range f.HSCodes {
		f.HSCodes[i] = strings.ReplaceAll(strings.TrimSpace(c), ".", "")
	}
	f.HSCodes = dedupe(f.HSCodes)
	for i, m := range f.TargetMarkets {
		if code, ok := refdata.ParseMarket(m); ok {
			f.TargetMarkets[i] = code
		} else {
			f.TargetMarkets[i] = strings.ToUpper(strings.TrimSpace(m))
		}
	}
	f.TargetMarkets = dedupe(f.TargetMarkets)
	f.Platforms = dedupe(f.Platforms)
	f.Needs = dedupe(f.Needs)
	for i := range f.Contacts {
		normalizeContact(&f.Contacts[i])
	}
}

// NormalizeAssociation tidies user input in place.
func NormalizeAssociation(a *Association) {
	a.USCC = uscc.Normalize(a.USCC)
	a.Name = strings.TrimSpace(a.Name)
	a.ShortName = strings.TrimSpace(a.ShortName)
	a.Description = strings.TrimSpace(a.Description)
	a.Address = strings.TrimSpace(a.Address)
	a.Website = strings.TrimSpace(a.Website)
	a.Industries = dedupe(a.Industries)
	a.Services = dedupe(a.Services)
	normalizeContact(&a.Contact)
}

func normalizeContact(c *Contact) {
	c.Name = strings.TrimSpace(c.Name)
	c.Title = strings.TrimSpace(c.Title)
	c.Phone = contact.NormalizePhone(c.Phone)
	c.Email = strings.TrimSpace(c.Email)
}

func dedupe[T comparable](in []T) []T {
	if len(in) == 0 {
		return in
	}
	seen := make(map[T]bool, len(in))
	out := in[:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// ValidateFirm checks every rule on a normalized firm and returns all the
// violations, with fields named as in the API ("hs_codes[1]").
func ValidateFirm(f *Firm) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	validateUSCC(v, f.USCC)
	validateName(v, "name", f.Name, "企业名称")
	if len(f.NameEN) > MaxNameENLength {
		v.Add("name_en", "英文名称不能超过%d个字符", MaxNameENLength)
	}
	requiredEnum(v, "district", f.District, "所在区县")
	requiredEnum(v, "industry", f.Industry, "所属行业")
	maxRunes(v, "main_products", f.MainProducts, MaxProductsRunes, "主营产品")
	if len(f.HSCodes) > MaxHSCodes {
		v.Add("hs_codes", "HS编码最多%d个，当前%d个", MaxHSCodes, len(f.HSCodes))
	}
	for i, c := range f.HSCodes {
		if rule := refdata.ValidateHSCode(c); rule != "" {
			v.Add(fmt.Sprintf("hs_codes[%d]", i), "%s", rule)
		}
	}
	optionalEnum(v, "revenue_band", f.RevenueBand, "营业收入区间")
	optionalEnum(v, "employees_band", f.EmployeesBand, "员工人数区间")
	optionalEnum(v, "stage", f.Stage, "跨境电商阶段")
	if f.AnnualExportValueFen != nil && (*f.AnnualExportValueFen < 0 || *f.AnnualExportValueFen > MaxExportValueFen) {
		v.Add("annual_export_value_fen", "年出口额（分）须在0至%d之间", int64(MaxExportValueFen))
	}
	for i, p := range f.Platforms {
		enumItem(v, fmt.Sprintf("platforms[%d]", i), p, "销售平台")
	}
	if len(f.TargetMarkets) > MaxMarkets {
		v.Add("target_markets", "目标市场最多%d个", MaxMarkets)
	}
	for i, m := range f.TargetMarkets {
		if !refdata.ValidMarket(m) {
			v.Add(fmt.Sprintf("target_markets[%d]", i), "目标市场“%s”不是ISO 3166-1二位国家代码（如US、DE）或可识别的国家名称", m)
		}
	}
	for i, n := range f.Needs {
		enumItem(v, fmt.Sprintf("needs[%d]", i), n, "需求")
	}
	if len(f.Contacts) > MaxContacts {
		v.Add("contacts", "联系人最多%d位", MaxContacts)
	}
	for i, c := range f.Contacts {
		validateContact(v, fmt.Sprintf("contacts[%d]", i), c, true)
	}
	maxRunes(v, "address", f.Address, MaxAddressRunes, "地址")
	validateWebsite(v, f.Website)
	return v
}

// ValidateAssociation checks every rule on a normalized association.
func ValidateAssociation(a *Association) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	validateUSCC(v, a.USCC)
	validateName(v, "name", a.Name, "协会名称")
	maxRunes(v, "short_name", a.ShortName, MaxShortNameRunes, "简称")
	requiredEnum(v, "type", a.Type, "组织类型")
	requiredEnum(v, "district", a.District, "登记区县")
	if len(a.Industries) == 0 {
		v.Add("industries", "请至少选择一个行业")
	}
	if len(a.Industries) > MaxIndustries {
		v.Add("industries", "行业最多%d个", MaxIndustries)
	}
	for i, ind := range a.Industries {
		enumItem(v, fmt.Sprintf("industries[%d]", i), ind, "行业")
	}
	optionalEnum(v, "rating", a.Rating, "评估等级")
	if a.MemberCount < 0 || a.MemberCount > MaxMemberCount {
		v.Add("member_count", "会员数须在0至%d之间", MaxMemberCount)
	}
	if a.Contact != (Contact{}) {
		validateContact(v, "cross_border_contact", a.Contact, true)
	}
	for i, s := range a.Services {
		enumItem(v, fmt.Sprintf("services[%d]", i), s, "服务")
	}
	maxRunes(v, "description", a.Description, MaxDescriptionRunes, "简介")
	maxRunes(v, "address", a.Address, MaxAddressRunes, "地址")
	validateWebsite(v, a.Website)
	return v
}

func validateUSCC(v *apperr.ValidationError, code string) {
	if err := uscc.Validate(code); err != nil {
		v.Add("uscc", "%s", err.Error())
	}
}

func validateName(v *apperr.ValidationError, field, name, what string) {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		v.Add(field, "%s不能为空", what)
	case n < 2:
		v.Add(field, "%s至少2个字", what)
	case n > MaxNameRunes:
		v.Add(field, "%s不能超过%d个字", what, MaxNameRunes)
	}
}

func maxRunes(v *apperr.ValidationError, field, s string, limit int, what string) {
	if utf8.RuneCountInString(s) > limit {
		v.Add(field, "%s不能超过%d个字", what, limit)
	}
}

func requiredEnum(v *apperr.ValidationError, field string, e protoreflect.Enum, what string) {
	if e.Number() == 0 {
		v.Add(field, "请选择%s", what)
		return
	}
	optionalEnum(v, field, e, what)
}

func optionalEnum(v *apperr.ValidationError, field string, e protoreflect.Enum, what string) {
	if e.Number() != 0 && !refdata.Defined(e) {
		v.Add(field, "%s代码%d无效，允许的值：%s", what, e.Number(), refdata.Labels(e.Descriptor()))
	}
}

func enumItem(v *apperr.ValidationError, field string, e protoreflect.Enum, what string) {
	if !refdata.Defined(e) {
		v.Add(field, "%s代码%d无效，允许的值：%s", what, e.Number(), refdata.Labels(e.Descriptor()))
	}
}

func validateContact(v *apperr.ValidationError, field string, c Contact, needReach bool) {
	n := utf8.RuneCountInString(c.Name)
	if n == 0 {
		v.Add(field+".name", "联系人姓名不能为空")
	} else if n > MaxContactNameRunes {
		v.Add(field+".name", "联系人姓名不能超过%d个字", MaxContactNameRunes)
	}
	maxRunes(v, field+".title", c.Title, MaxContactTitleRunes, "职务")
	if needReach && c.Phone == "" && c.Email == "" {
		v.Add(field+".phone", "请至少填写联系电话或邮箱之一")
	}
	if contact.IsMaskedPhone(c.Phone) {
		v.Add(field+".phone", "电话“%s”是脱敏显示值，请填写完整号码", c.Phone)
	} else if c.Phone != "" {
		if rule := contact.ValidatePhone(c.Phone); rule != "" {
			v.Add(field+".phone", "%s", rule)
		}
	}
	if contact.IsMaskedEmail(c.Email) {
		v.Add(field+".email", "邮箱“%s”是脱敏显示值，请填写完整地址", c.Email)
	} else if c.Email != "" {
		if rule := contact.ValidateEmail(c.Email); rule != "" {
			v.Add(field+".email", "%s", rule)
		}
	}
}

func validateWebsite(v *apperr.ValidationError, site string) {
	if site == "" {
		return
	}
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(site) > MaxWebsiteLength {
		v.Add("website", "网址须以http://或https://开头，且不超过%d个字符", MaxWebsiteLength)
	}
}

// SameProfile reports whether two firms carry the same profile data (the
// fields an import or update can change), ignoring ids, versions, times and
// memberships.
func SameProfile(a, b *Firm) bool {
	x, y := a.Clone(), b.Clone()
	for _, f := range []*Firm{x, y} {
		f.ID, f.Version, f.Memberships, f.Sample = "", 0, nil, false
		f.CreateTime, f.UpdateTime, f.DeleteTime = zeroTime, zeroTime, zeroTime
	}
	return firmEqual(x, y)
}

func firmEqual(a, b *Firm) bool {
	eqPtr := (a.AnnualExportValueFen == nil) == (b.AnnualExportValueFen == nil) &&
		(a.AnnualExportValueFen == nil || *a.AnnualExportValueFen == *b.AnnualExportValueFen)
	return eqPtr && a.USCC == b.USCC && a.Name == b.Name && a.NameEN == b.NameEN &&
		a.District == b.District && a.Industry == b.Industry && a.MainProducts == b.MainProducts &&
		slices.Equal(a.HSCodes, b.HSCodes) && a.RevenueBand == b.RevenueBand &&
		a.EmployeesBand == b.EmployeesBand && a.Stage == b.Stage &&
		slices.Equal(a.Platforms, b.Platforms) && slices.Equal(a.TargetMarkets, b.TargetMarkets) &&
		slices.Equal(a.Needs, b.Needs) && slices.Equal(a.Contacts, b.Contacts) &&
		a.Address == b.Address && a.Website == b.Website
}
