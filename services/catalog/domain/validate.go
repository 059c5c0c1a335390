package domain

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// NormalizePolicy trims text and drops duplicate list entries in place.
func NormalizePolicy(p *catalogv1.Policy) {
	p.Title = strings.TrimSpace(p.Title)
	p.Issuer = strings.TrimSpace(p.Issuer)
	p.Summary = strings.TrimSpace(p.Summary)
	p.HowToApply = strings.TrimSpace(p.HowToApply)
	p.ApplyUrl = strings.TrimSpace(p.ApplyUrl)
	p.EnquiryContact = strings.TrimSpace(p.EnquiryContact)
	p.Districts = dedupe(p.Districts)
	p.Industries = dedupe(p.Industries)
	p.Stages = dedupe(p.Stages)
	p.Categories = dedupe(p.Categories)
	for i, t := range p.Tags {
		p.Tags[i] = strings.TrimSpace(t)
	}
	p.Tags = dedupe(p.Tags)
	for _, c := range p.Criteria {
		c.Id = strings.TrimSpace(c.Id)
		c.Description = strings.TrimSpace(c.Description)
		c.Expression = strings.TrimSpace(c.Expression)
	}
}

// ValidatePolicy checks a normalized policy's fields (not its criteria'
// expressions, which the eligibility engine compiles). Fields are named under
// prefix, e.g. "policy.title".
func ValidatePolicy(p *catalogv1.Policy) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	textRange(v, "title", p.Title, 1, MaxTitleRunes, "标题")
	textRange(v, "issuer", p.Issuer, 1, MaxIssuerRunes, "发布单位")
	if p.Level == 0 {
		v.Add("level", "请选择政策层级：国家级、省级、市级或区县级")
	} else {
		enumDefined(v, "level", p.Level, "政策层级")
	}
	for i, d := range p.Districts {
		enumDefined(v, fmt.Sprintf("districts[%d]", i), d, "区县")
	}
	if p.Level == catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT && len(p.Districts) == 0 {
		v.Add("districts", "区县级政策须指定适用的区县")
	}
	for i, ind := range p.Industries {
		enumDefined(v, fmt.Sprintf("industries[%d]", i), ind, "行业")
	}
	for i, s := range p.Stages {
		enumDefined(v, fmt.Sprintf("stages[%d]", i), s, "跨境电商阶段")
	}
	for i, c := range p.Categories {
		enumDefined(v, fmt.Sprintf("categories[%d]", i), c, "政策类别")
	}
	textRange(v, "summary", p.Summary, 0, MaxSummaryRunes, "摘要")
	textRange(v, "full_text", p.FullText, 0, MaxFullTextRunes, "政策全文")
	if b := p.Benefit; b != nil {
		textRange(v, "benefit.description", b.Description, 0, MaxBenefitRunes, "扶持内容")
		if b.MaxAmountFen != nil && *b.MaxAmountFen < 0 {
			v.Add("benefit.max_amount_fen", "扶持金额上限不能为负数")
		}
		if b.RateBasisPoints != nil && (*b.RateBasisPoints < 1 || *b.RateBasisPoints > 10000) {
			v.Add("benefit.rate_basis_points", "扶持比例须在1至10000个基点之间（10000为100%%）")
		}
	}
	windowOrder(v, "validity", p.Validity, "实施期限")
	windowOrder(v, "application_window", p.ApplicationWindow, "申报期")
	windowWithin(v, p.ApplicationWindow, p.Validity)
	textRange(v, "how_to_apply", p.HowToApply, 0, MaxHowToApplyRunes, "申报方式")
	webURL(v, "apply_url", p.ApplyUrl)
	textRange(v, "enquiry_contact", p.EnquiryContact, 0, MaxEnquiryRunes, "咨询方式")
	if s := p.Source; s != nil {
		textRange(v, "source.document_title", s.DocumentTitle, 0, 200, "文件标题")
		textRange(v, "source.document_number", s.DocumentNumber, 0, 100, "文号")
		webURL(v, "source.url", s.Url)
	}
	if len(p.Tags) > MaxTags {
		v.Add("tags", "标签最多%d个", MaxTags)
	}
	for i, t := range p.Tags {
		textRange(v, fmt.Sprintf("tags[%d]", i), t, 1, MaxTagRunes, "标签")
	}
	return v
}

// ValidatePublishable checks what publishing needs beyond ValidatePolicy: a
// category, a summary, at least one criterion (explicit or implicit), and a
// validity that has not ended.
func ValidatePublishable(p *catalogv1.Policy, expired bool) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if len(p.Categories) == 0 {
		v.Add("policy.categories", "发布前请至少选择一个政策类别")
	}
	if p.Summary == "" {
		v.Add("policy.summary", "发布前请填写政策摘要")
	}
	if len(p.Criteria) == 0 && len(p.Districts) == 0 && len(p.Industries) == 0 && len(p.Stages) == 0 {
		v.Add("policy.criteria", "发布前请至少设置一项申报条件（或适用区县、行业、阶段）")
	}
	if expired {
		v.Add("policy.validity.end_time", "政策实施期限已结束，不能发布；如已延期请先修改实施期限")
	}
	return v
}

// NormalizeBelt trims text and drops duplicates in place.
func NormalizeBelt(b *catalogv1.IndustryBelt) {
	b.BrandName = strings.TrimSpace(b.BrandName)
	b.Description = strings.TrimSpace(b.Description)
	for i := range b.Locations {
		b.Locations[i] = strings.TrimSpace(b.Locations[i])
	}
	b.Locations = dedupe(b.Locations)
	for i := range b.KeyProducts {
		b.KeyProducts[i] = strings.TrimSpace(b.KeyProducts[i])
	}
	b.KeyProducts = dedupe(b.KeyProducts)
	for i := range b.HsChapters {
		b.HsChapters[i] = strings.TrimSpace(b.HsChapters[i])
	}
	b.HsChapters = dedupe(b.HsChapters)
	for i, m := range b.TargetMarkets {
		if code, ok := refdata.ParseMarket(m); ok {
			b.TargetMarkets[i] = code
		}
	}
	b.TargetMarkets = dedupe(b.TargetMarkets)
	b.AnchorPlatforms = dedupe(b.AnchorPlatforms)
	b.AssociationIds = dedupe(b.AssociationIds)
	b.BrandEventIds = dedupe(b.BrandEventIds)
}

// ValidateBelt checks a normalized belt (association existence is checked by
// the caller, which can reach the profiles service).
func ValidateBelt(b *catalogv1.IndustryBelt) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if b.District == 0 {
		v.Add("district", "请选择所在区县")
	} else {
		enumDefined(v, "district", b.District, "区县")
	}
	if b.Industry == 0 {
		v.Add("industry", "请选择行业")
	} else {
		enumDefined(v, "industry", b.Industry, "行业")
	}
	textRange(v, "brand_name", b.BrandName, 1, MaxBrandRunes, "区域品牌名称")
	textRange(v, "description", b.Description, 0, MaxBeltDescription, "简介")
	if len(b.Locations) > MaxBeltLocations {
		v.Add("locations", "集聚地最多%d个", MaxBeltLocations)
	}
	for i, l := range b.Locations {
		textRange(v, fmt.Sprintf("locations[%d]", i), l, 1, 50, "集聚地")
	}
	if len(b.KeyProducts) > MaxBeltProducts {
		v.Add("key_products", "重点产品最多%d个", MaxBeltProducts)
	}
	for i, p := range b.KeyProducts {
		textRange(v, fmt.Sprintf("key_products[%d]", i), p, 1, 50, "重点产品")
	}
	for i, ch := range b.HsChapters {
		if rule := ValidateHSChapter(ch); rule != "" {
			v.Add(fmt.Sprintf("hs_chapters[%d]", i), "%s", rule)
		}
	}
	for i, m := range b.TargetMarkets {
		if !refdata.ValidMarket(m) {
			v.Add(fmt.Sprintf("target_markets[%d]", i), "目标市场“%s”不是ISO 3166-1二位国家代码（如US、DE）", m)
		}
	}
	for i, p := range b.AnchorPlatforms {
		if !refdata.Defined(p) {
			v.Add(fmt.Sprintf("anchor_platforms[%d]", i), "销售平台代码%d无效", p)
		}
	}
	if len(b.ServiceProviders) > MaxServiceProviders {
		v.Add("service_providers", "服务商最多%d个", MaxServiceProviders)
	}
	for i, sp := range b.ServiceProviders {
		f := fmt.Sprintf("service_providers[%d]", i)
		textRange(v, f+".name", strings.TrimSpace(sp.GetName()), 1, MaxProviderNameRunes, "服务商名称")
		for j, n := range sp.GetServices() {
			if !refdata.Defined(n) {
				v.Add(fmt.Sprintf("%s.services[%d]", f, j), "服务类别代码%d无效", n)
			}
		}
		textRange(v, f+".description", sp.GetDescription(), 0, 500, "服务说明")
		webURL(v, f+".website", sp.GetWebsite())
	}
	if len(b.AssociationIds) > MaxBeltAssociations {
		v.Add("association_ids", "关联协会最多%d个", MaxBeltAssociations)
	}
	if b.Status != 0 {
		enumDefined(v, "status", b.Status, "状态")
	}
	return v
}

// ValidateHSChapter checks a two-digit HS chapter ("01"–"97", not "77"); it
// returns the rule broken or "".
func ValidateHSChapter(ch string) string {
	if len(ch) != 2 || ch[0] < '0' || ch[0] > '9' || ch[1] < '0' || ch[1] > '9' {
		return fmt.Sprintf("HS章号“%s”须为两位数字，如“62”", ch)
	}
	n := int(ch[0]-'0')*10 + int(ch[1]-'0')
	if n < 1 || n > 97 || n == 77 {
		return fmt.Sprintf("HS章号“%s”不存在：须在01至97之间（77章保留）", ch)
	}
	return ""
}

func textRange(v *apperr.ValidationError, field, s string, minRunes, maxRunes int, what string) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < minRunes && n == 0:
		v.Add(field, "%s不能为空", what)
	case n < minRunes:
		v.Add(field, "%s至少%d个字", what, minRunes)
	case n > maxRunes:
		v.Add(field, "%s不能超过%d个字，当前%d个字", what, maxRunes, n)
	}
}

func enumDefined(v *apperr.ValidationError, field string, e protoreflect.Enum, what string) {
	if !refdata.Defined(e) {
		v.Add(field, "%s代码%d无效，允许的值：%s", what, e.Number(), refdata.Labels(e.Descriptor()))
	}
}

// windowOrder checks that a window that has both ends ends after it starts.
func windowOrder(v *apperr.ValidationError, field string, w *commonv1.TimeWindow, what string) {
	if w.GetStartTime() == nil || w.GetEndTime() == nil {
		return
	}
	if !w.GetEndTime().AsTime().After(w.GetStartTime().AsTime()) {
		v.Add(field+".end_time", "%s的结束时间须晚于开始时间", what)
	}
}

// windowWithin checks that an application window overlaps the validity, or
// the policy could never be applied for.
func windowWithin(v *apperr.ValidationError, window, validity *commonv1.TimeWindow) {
	if window.GetEndTime() != nil && validity.GetStartTime() != nil && !window.GetEndTime().AsTime().After(validity.GetStartTime().AsTime()) {
		v.Add("application_window.end_time", "申报期须与实施期限有重叠：申报期在实施期限开始前就已结束")
	}
	if window.GetStartTime() != nil && validity.GetEndTime() != nil && !window.GetStartTime().AsTime().Before(validity.GetEndTime().AsTime()) {
		v.Add("application_window.start_time", "申报期须与实施期限有重叠：申报期在实施期限结束后才开始")
	}
}

func webURL(v *apperr.ValidationError, field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > MaxURLLength {
		v.Add(field, "网址须以http://或https://开头，且不超过%d个字符", MaxURLLength)
	}
}
