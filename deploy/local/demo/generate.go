package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// The generator turns the catalog into one fixed data set. Its random
// source has a fixed seed, so every run (and the README) sees the same
// associations, firms and demo-account scopes; changing the catalog or the
// order of draws changes the data set.

// The seed of the demo data set.
const seedHi, seedLo = 2025, 1000

// secondMemberships is how many firms also join a second association.
const secondMemberships = 30

// Programme join times fall in this window (fixed, so the data set does not
// depend on the day it is loaded).
var (
	joinFrom = time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC)
	joinTo   = time.Date(2026, 10, 31, 9, 0, 0, 0, time.UTC)
)

// plan is the whole data set, ready to hand to the use cases. Its
// associations and firms have no ids yet; the use cases assign them.
type plan struct {
	assocs   []plannedAssociation
	firms    []plannedFirm
	extra    []plannedMembership
	accounts []plannedAccount
}

type plannedAssociation struct {
	key string
	a   *domain.Association
}

type plannedFirm struct {
	assocKey string
	f        *domain.Firm
}

// plannedMembership adds firms[firm] to the association assocKey.
type plannedMembership struct {
	assocKey string
	firm     int
}

// plannedAccount is a demo account; assocKey and firm (an index into
// firms, or -1) name its scope until ids exist.
type plannedAccount struct {
	username    string
	displayName string
	role        auth.Role
	district    commonv1.District
	assocKey    string
	firm        int
	expertID    string
	scope       string
}

type generator struct {
	r      *rand.Rand
	codes  map[string]bool
	names  map[string]bool
	people map[string]bool
	phones int
	emails int
}

// newPlan builds the data set. It is pure and takes a few milliseconds.
func newPlan() *plan {
	g := &generator{r: rand.New(rand.NewPCG(seedHi, seedLo)), codes: map[string]bool{}, names: map[string]bool{}, people: map[string]bool{}}
	pl := &plan{}
	for _, s := range assocSeeds {
		pl.assocs = append(pl.assocs, plannedAssociation{key: s.key, a: g.association(s)})
	}
	for _, s := range assocSeeds {
		for range s.firms {
			pl.firms = append(pl.firms, plannedFirm{assocKey: s.key, f: g.firm(s)})
		}
	}
	pl.extra = g.secondMemberships(pl.firms)
	pl.accounts = accountsFor(pl)
	return pl
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickN returns n distinct elements of xs, biased towards the head of the
// list (lists are ordered most common first).
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	n = min(n, len(xs))
	var idx []int
	for len(idx) < n {
		// The minimum of two uniform draws favours low indexes.
		i := min(r.IntN(len(xs)), r.IntN(len(xs)))
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	out := make([]T, n)
	for k, i := range idx {
		out[k] = xs[i]
	}
	return out
}

// weighted returns an index into weights, drawn in proportion to them.
func weighted(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// code returns a valid, unused USCC: prefix ("91" firm, "51" social group,
// "52" private non-enterprise unit), the division, the nine-character
// organisation code and the GB 32100 check character.
//
// The organisation code's own GB 11714 check digit (its ninth character) is
// deliberately wrong. The code still passes every check the service makes,
// but cannot be the code of a real organisation.
func (g *generator) code(prefix, division, orgHead string, orgBody int) string {
	for {
		var b strings.Builder
		b.WriteString(orgHead)
		for range orgBody {
			if orgHead == "" && b.Len() == 0 {
				b.WriteByte("567"[g.r.IntN(3)]) // older, numeric organisation codes
				continue
			}
			if orgHead == "" {
				b.WriteByte(usccAlphabet[g.r.IntN(10)])
			} else {
				b.WriteByte(usccAlphabet[g.r.IntN(len(usccAlphabet))])
			}
		}
		org8 := b.String()
		first17 := prefix + division + org8 + string(wrongOrgCheck(org8, g.r))
		c, ok := uscc.CheckChar(first17)
		if !ok {
			panic("demo: bad USCC alphabet in " + first17)
		}
		full := first17 + string(c)
		if !g.codes[full] {
			g.codes[full] = true
			return full
		}
	}
}

// wrongOrgCheck returns a digit that is not the GB 11714 check character of
// the eight-character organisation code body.
func wrongOrgCheck(body string, r *rand.Rand) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * weights[i]
	}
	right := byte('0')
	switch c := 11 - sum%11; c {
	case 10:
		right = 'X'
	case 11:
		right = '0'
	default:
		right = byte('0' + c)
	}
	for {
		d := byte('0' + r.IntN(10))
		if d != right {
			return d
		}
	}
}

// person returns a fictional contact. Every demo phone is "1380000"
// followed by a serial number, so demo numbers are easy to recognise and
// never repeat; e-mails use the reserved example.com/example.org domains.
func (g *generator) person(titles []string, email func(n int) string) domain.Contact {
	name := pick(g.r, surnames) + pick(g.r, givenNames)
	for g.people[name] { // distinct names keep the demo easy to follow
		name = pick(g.r, surnames) + pick(g.r, givenNames)
	}
	g.people[name] = true
	g.phones++
	c := domain.Contact{
		Name:  name,
		Title: pick(g.r, titles),
		Phone: fmt.Sprintf("1380000%04d", g.phones),
	}
	if email != nil {
		g.emails++
		c.Email = email(g.emails)
	}
	return c
}

func (g *generator) association(s assocSeed) *domain.Association {
	dist := districtOf(s.d)
	division := dist.code
	if s.city {
		division = cityCode
	}
	prefix := "51"
	if s.typ == privateNonEnt {
		prefix = "52"
	}
	var industries []commonv1.Industry
	var products []string
	for _, key := range s.belts {
		b := belts[key]
		if !slices.Contains(industries, b.industry) {
			industries = append(industries, b.industry)
		}
		for _, p := range b.products[:min(2, len(b.products))] {
			products = append(products, p.name)
		}
	}
	a := &domain.Association{
		USCC:        g.code(prefix, division, "MJ", 6),
		Name:        s.name,
		ShortName:   s.short,
		Type:        s.typ,
		District:    s.d,
		Industries:  industries,
		Rating:      profilesv1.AssociationRating([]int32{0, 2, 3, 4, 5}[weighted(g.r, 25, 5, 35, 25, 10)]),
		MemberCount: int32(s.firms*(6+g.r.IntN(15)) + g.r.IntN(30)),
		Contact: g.person(assocContactTitles, func(int) string {
			return s.key + "@example.org"
		}),
		Services:    g.services(),
		Description: g.assocDescription(s, dist, industries, products),
		Address:     "浙江省杭州市" + refdata.Label(s.d) + pick(g.r, dist.towns),
		Sample:      true,
	}
	switch s.key {
	case adminAssocKey:
		a.Rating = profilesv1.AssociationRating_ASSOCIATION_RATING_5A
	case admin2AssocKey:
		a.Rating = profilesv1.AssociationRating_ASSOCIATION_RATING_4A
	}
	joined := g.r.IntN(3) < 2
	if s.key == adminAssocKey || s.key == admin2AssocKey {
		joined = true
	}
	if joined {
		span := joinTo.Sub(joinFrom)
		a.JoinedProgramme = true
		a.ProgrammeJoinTime = joinFrom.Add(time.Duration(g.r.Int64N(int64(span/time.Second))) * time.Second)
	}
	return a
}

func (g *generator) services() []profilesv1.AssociationServiceKind {
	all := make([]profilesv1.AssociationServiceKind, 0, 11)
	for k := profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRAINING; k <= profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRADE_DISPUTES; k++ {
		all = append(all, k)
	}
	// Training, matchmaking and policy briefings come first: most
	// associations offer them.
	out := pickN(g.r, all, 2+g.r.IntN(4))
	slices.Sort(out)
	return out
}

func (g *generator) assocDescription(s assocSeed, dist district, industries []commonv1.Industry, products []string) string {
	labels := make([]string, len(industries))
	for i, ind := range industries {
		labels[i] = refdata.Label(ind)
	}
	where := refdata.Label(dist.d)
	if s.city {
		where = "全市"
	}
	if s.typ == privateNonEnt {
		return fmt.Sprintf("【演示数据，非真实机构】本中心面向%s%s企业，提供跨境电商人才培训、实训和招聘对接服务。",
			where, strings.Join(labels, "、"))
	}
	return fmt.Sprintf("【演示数据，非真实机构】本会由%s%s企业组成，会员主营%s等产品，组织会员参加跨境电商培训、资源对接和组团参展。",
		where, strings.Join(labels, "、"), strings.Join(products, "、"))
}

// stage weights: unknown, none, exploring, first store, first order,
// repeat exports, overseas warehouse or brand.
var stageWeights = []int{8, 12, 25, 18, 15, 14, 8}

func (g *generator) firm(s assocSeed) *domain.Firm {
	d := s.d
	if len(s.firmDistricts) > 0 {
		d = pick(g.r, s.firmDistricts)
	}
	dist := districtOf(d)
	bk := s.belts[0]
	if len(s.belts) > 1 && g.r.IntN(10) >= 6 {
		bk = pick(g.r, s.belts[1:])
	}
	b := belts[bk]
	name, nameEN := g.firmName(dist, b)

	f := &domain.Firm{
		Name:     name,
		NameEN:   nameEN,
		District: d,
		Industry: b.industry,
		Address:  "浙江省杭州市" + refdata.Label(d) + pick(g.r, dist.towns),
		Sample:   true,
	}
	division := dist.code
	if g.r.IntN(5) == 0 {
		division = cityCode
	}
	if g.r.IntN(100) < 65 {
		f.USCC = g.code("91", division, "MA2", 5)
	} else {
		f.USCC = g.code("91", division, "", 8)
	}

	prods := pickN(g.r, b.products, 1+weighted(g.r, 30, 45, 25))
	names := make([]string, len(prods))
	for i, p := range prods {
		names[i] = p.name
		for _, hs := range p.hs {
			if !slices.Contains(f.HSCodes, hs) {
				f.HSCodes = append(f.HSCodes, hs)
			}
		}
	}
	f.MainProducts = strings.Join(names, "、")
	if g.r.IntN(100) < 12 {
		f.HSCodes = nil // not every firm knows its codes
	}

	rev := weighted(g.r, 2, 20, 30, 28, 15, 5) // unknown, <5M … >500M
	f.RevenueBand = commonv1.RevenueBand(rev)
	if rev > 0 {
		emp := []int{0, 1, 2, 2, 3, 4}[rev] + g.r.IntN(2)
		f.EmployeesBand = commonv1.EmployeesBand(min(emp, 5))
	}
	f.Stage = commonv1.CrossBorderStage(weighted(g.r, stageWeights...))
	f.AnnualExportValueFen = g.exportValue(rev, f.Stage)
	if b.industry == commonv1.Industry_INDUSTRY_ECOMMERCE_SERVICES {
		// Service providers already trade cross-border and export no goods.
		f.Stage = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER + commonv1.CrossBorderStage(weighted(g.r, 3, 4, 3))
		f.AnnualExportValueFen = nil
	}
	f.Platforms = g.platforms(b, f.Stage)
	f.TargetMarkets = g.markets(b, f.Stage)
	f.Needs = g.needs(f.Stage)

	f.Contacts = []domain.Contact{g.firmContact()}
	if g.r.IntN(10) < 3 {
		f.Contacts = append(f.Contacts, g.firmContact())
	}
	return f
}

func (g *generator) firmContact() domain.Contact {
	var email func(int) string
	if g.r.IntN(100) < 35 {
		email = func(n int) string { return fmt.Sprintf("demo%04d@example.com", n) }
	}
	return g.person(firmContactTitles, email)
}

// firmName returns an unused Chinese firm name and, for some firms, an
// English one.
func (g *generator) firmName(dist district, b belt) (string, string) {
	for {
		x, y := pick(g.r, tradeChars), pick(g.r, tradeChars)
		if x.cn == y.cn {
			continue
		}
		w := pick(g.r, b.words)
		placeCN, placeEN := "杭州", "Hangzhou"
		switch {
		case dist.county && g.r.IntN(2) == 0:
			placeCN, placeEN = dist.short, pinyinPlace[dist.short]
		case !dist.county && g.r.IntN(10) < 3:
			placeCN = "杭州" + dist.short
		}
		form, formEN := "有限公司", "Co., Ltd."
		switch g.r.IntN(20) {
		case 0, 1:
			form = "股份有限公司"
		case 2:
			form = "有限责任公司"
		}
		name := placeCN + x.cn + y.cn + w.cn + form
		if g.names[name] {
			continue
		}
		g.names[name] = true
		en := ""
		if g.r.IntN(100) < 45 {
			en = fmt.Sprintf("%s %s %s %s", placeEN, tradeNameEN(x.py, y.py), w.en, formEN)
		}
		return name, en
	}
}

var pinyinPlace = map[string]string{"桐庐": "Tonglu", "淳安": "Chun'an", "建德": "Jiande"}

// tradeNameEN joins two syllables the way pinyin is written, with an
// apostrophe before a syllable that starts with a vowel ("Xi'an").
func tradeNameEN(a, b string) string {
	sep := ""
	if strings.ContainsRune("aeo", rune(b[0])) {
		sep = "'"
	}
	return strings.ToUpper(a[:1]) + a[1:] + sep + b
}

// exportValue is nil (unknown) for about a fifth of firms; otherwise a share
// of revenue, rounded to 10,000 yuan and given in fen.
func (g *generator) exportValue(rev int, stage commonv1.CrossBorderStage) *int64 {
	if rev == 0 || g.r.IntN(5) == 0 {
		return nil
	}
	mid := []float64{0, 2e6, 12e6, 50e6, 250e6, 800e6}[rev] // yuan
	share := 0.05 + g.r.Float64()*0.6
	if stage == commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE && g.r.IntN(2) == 0 {
		share = 0 // sells at home only
	}
	yuan := int64(mid*share*(0.7+g.r.Float64()*0.6)) / 10_000 * 10_000
	fen := yuan * 100
	return &fen
}

func (g *generator) platforms(b belt, stage commonv1.CrossBorderStage) []commonv1.SalesPlatform {
	var n int
	switch stage {
	case commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE:
		return nil
	case commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING:
		n = g.r.IntN(2)
	case commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER:
		n = 1 + g.r.IntN(2)
	default:
		n = 2 + g.r.IntN(3)
	}
	return pickN(g.r, b.platforms, n)
}

func (g *generator) markets(b belt, stage commonv1.CrossBorderStage) []string {
	n := 1 + g.r.IntN(3)
	switch stage {
	case commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE:
		n = g.r.IntN(3)
	case commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND:
		n = 2 + g.r.IntN(4)
	}
	return pickN(g.r, b.markets, n)
}

// needsByStage lists what firms at each stage ask for, most common first.
var needsByStage = map[commonv1.CrossBorderStage][]commonv1.NeedTag{
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED: {
		commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_TALENT,
		commonv1.NeedTag_NEED_TAG_FINANCING,
	},
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE: {
		commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_TALENT, commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING,
		commonv1.NeedTag_NEED_TAG_CUSTOMS,
	},
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING: {
		commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_TALENT,
		commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_PAYMENT_FX,
	},
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED: {
		commonv1.NeedTag_NEED_TAG_MARKETING, commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_PAYMENT_FX,
		commonv1.NeedTag_NEED_TAG_TALENT, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX,
	},
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER: {
		commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_MARKETING, commonv1.NeedTag_NEED_TAG_PAYMENT_FX,
		commonv1.NeedTag_NEED_TAG_CUSTOMS, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX,
	},
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS: {
		commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE, commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_FINANCING,
		commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX, commonv1.NeedTag_NEED_TAG_MARKETING,
	},
	commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND: {
		commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS, commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX,
		commonv1.NeedTag_NEED_TAG_FINANCING, commonv1.NeedTag_NEED_TAG_TALENT,
	},
}

func (g *generator) needs(stage commonv1.CrossBorderStage) []commonv1.NeedTag {
	return pickN(g.r, needsByStage[stage], 1+g.r.IntN(3))
}

// secondMemberships picks firms that also join one of the associations
// their own association lists in alsoJoin, each firm at most once.
func (g *generator) secondMemberships(firms []plannedFirm) []plannedMembership {
	seeds := map[string]assocSeed{}
	for _, s := range assocSeeds {
		seeds[s.key] = s
	}
	var candidates []plannedMembership
	takes := func(target string, f *domain.Firm) bool {
		s := seeds[target]
		return s.openToAll || slices.ContainsFunc(s.belts, func(b string) bool { return belts[b].industry == f.Industry })
	}
	for i, pf := range firms {
		for _, target := range seeds[pf.assocKey].alsoJoin {
			if takes(target, pf.f) {
				candidates = append(candidates, plannedMembership{assocKey: target, firm: i})
			}
		}
	}
	g.r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	var out []plannedMembership
	used := map[int]bool{}
	for _, c := range candidates {
		if len(out) == secondMemberships {
			break
		}
		if used[c.firm] {
			continue
		}
		used[c.firm] = true
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b plannedMembership) int { return a.firm - b.firm })
	return out
}

// showcaseFirmOf returns the index of the first firm registered by the
// association key that already sells abroad on a platform and asks for
// help, so the demo firm user has a profile worth matching.
func showcaseFirmOf(pl *plan, key string) int {
	for i, pf := range pl.firms {
		f := pf.f
		if pf.assocKey == key && len(f.Platforms) > 0 && len(f.Needs) > 0 && len(f.HSCodes) > 0 &&
			f.Stage >= commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED &&
			f.Stage <= commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS {
			return i
		}
	}
	panic("demo: no showcase firm in " + key)
}

func assocName(key string) string {
	for _, s := range assocSeeds {
		if s.key == key {
			return s.name
		}
	}
	panic("demo: unknown association " + key)
}

// The demo accounts' usernames.
const (
	AdminUsername = "admin"
	expertID      = "demo-expert-1"
)

// accountsFor lists the demo accounts. The bureau admin comes last: its
// existence marks a completed load.
func accountsFor(pl *plan) []plannedAccount {
	firm1, firm2 := showcaseFirmOf(pl, adminAssocKey), showcaseFirmOf(pl, admin2AssocKey)
	a1, a2 := assocName(adminAssocKey), assocName(admin2AssocKey)
	f1, f2 := pl.firms[firm1].f, pl.firms[firm2].f
	return []plannedAccount{
		{username: "xiaoshan", displayName: "萧山区商务局专员", role: auth.RoleDistrictOfficer,
			district: commonv1.District_DISTRICT_XIAOSHAN, firm: -1, scope: "萧山区（本区县会员企业与进展统计，只读）"},
		{username: "assoc-admin", displayName: a1 + "秘书处", role: auth.RoleAssociationAdmin,
			assocKey: adminAssocKey, firm: -1, scope: a1},
		{username: "assoc-admin2", displayName: a2 + "秘书处", role: auth.RoleAssociationAdmin,
			assocKey: admin2AssocKey, firm: -1, scope: a2},
		{username: "firm-user", displayName: f1.Contacts[0].Name, role: auth.RoleFirmUser,
			firm: firm1, scope: f1.Name + "（" + a1 + "会员）"},
		{username: "firm-user2", displayName: f2.Contacts[0].Name, role: auth.RoleFirmUser,
			firm: firm2, scope: f2.Name + "（" + a2 + "会员）"},
		{username: "expert", displayName: "示例专家（跨境电商运营）", role: auth.RoleExpert,
			expertID: expertID, firm: -1, scope: "专家档案 " + expertID + "（咨询服务上线后可用）"},
		{username: AdminUsername, displayName: "市商务局管理员", role: auth.RoleBureauAdmin, firm: -1, scope: "全市"},
	}
}
