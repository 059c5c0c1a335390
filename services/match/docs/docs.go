// Package docs turns the owning services' objects into search documents and
// back into the display projections match results carry. It is the one
// place that knows which fields each index has, so the engines, the sync and
// the matching agree on them.
//
// Enum values are stored by name (e.g. "DISTRICT_XIAOSHAN"), markets as ISO
// codes, HS codes and chapters as digits. A policy that applies to all of
// Hangzhou, or to every industry or stage, carries the value All in that
// field, so "the firm's district or city-wide" is one exact filter.
package docs

import (
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/match/index"
)

// All is the keyword of a policy field that does not narrow (every district,
// industry or stage).
const All = "ALL"

// Field names shared by several kinds.
const (
	FDistrict       = "district"
	FDistricts      = "districts"
	FIndustry       = "industry"
	FIndustries     = "industries"
	FStage          = "stage"
	FStages         = "stages"
	FPlatforms      = "platforms"
	FMarkets        = "markets"
	FNeeds          = "needs"
	FHSCodes        = "hs_codes"
	FHSChapters     = "hs_chapters"
	FUSCC           = "uscc"
	FAssociationIDs = "association_ids"
	FStatus         = "status"
	FCategories     = "categories"
	FLevel          = "level"
	FType           = "type"
	FServices       = "services"
	FJoined         = "joined_programme"
	FOwnerDistrict  = "owner_district"
	FSpecialties    = "specialties"
	FOnline         = "online"
	FPaused         = "paused"
	FExportBase     = "export_base"

	NReadiness  = "readiness"
	NBenefitFen = "benefit_fen"
	NValidFrom  = "valid_from"
	NValidTo    = "valid_to"
	// NOpenSlotTo is the start (unix seconds) of an expert's earliest open
	// slot, 0 when none.
	NOpenSlotTo = "next_open_slot"

	TProducts    = "products"
	TNameEN      = "name_en"
	TShortName   = "short_name"
	TDescription = "description"
	TSummary     = "summary"
	TIssuer      = "issuer"
	TTags        = "tags"
	TBenefit     = "benefit"
	TLocations   = "locations"
	TBio         = "bio"
	TOrg         = "organisation"
)

// Open ends: a policy without a validity end is valid until NoEnd.
const NoEnd = 1 << 40

// Schemas returns the schema of every kind.
func Schemas() []index.Schema {
	return []index.Schema{
		{
			Kind:       index.KindFirm,
			TextFields: []string{TProducts, TNameEN},
			KeywordFields: []string{FUSCC, FDistrict, FIndustry, FStage, FPlatforms, FMarkets, FNeeds, FHSCodes, FHSChapters,
				FAssociationIDs, FExportBase},
			NumberFields:      []string{NReadiness},
			ExactTextKeywords: []string{FUSCC, FHSCodes},
		},
		{
			Kind:              index.KindAssociation,
			TextFields:        []string{TShortName, TDescription},
			KeywordFields:     []string{FUSCC, FDistrict, FIndustries, FServices, FType, FJoined},
			ExactTextKeywords: []string{FUSCC},
		},
		{
			Kind:          index.KindPolicy,
			TextFields:    []string{TSummary, TTags, TBenefit, TIssuer},
			KeywordFields: []string{FStatus, FLevel, FDistricts, FIndustries, FStages, FCategories, FOwnerDistrict},
			NumberFields:  []string{NBenefitFen, NValidFrom, NValidTo},
		},
		{
			Kind:              index.KindBelt,
			TextFields:        []string{TProducts, TDescription, TLocations},
			KeywordFields:     []string{FStatus, FDistrict, FIndustry, FHSChapters, FMarkets, FPlatforms, FAssociationIDs},
			ExactTextKeywords: []string{FHSChapters},
		},
		{
			Kind:          index.KindExpert,
			TextFields:    []string{TOrg, TBio},
			KeywordFields: []string{FSpecialties, FStages, FMarkets, FPlatforms, FDistricts, FOnline, FPaused},
			NumberFields:  []string{NOpenSlotTo},
		},
	}
}

// Schema returns kind's schema.
func Schema(kind index.Kind) index.Schema {
	for _, s := range Schemas() {
		if s.Kind == kind {
			return s
		}
	}
	return index.Schema{Kind: kind}
}

// Name is the stored form of an enum value: its name.
func Name(e protoreflect.Enum) string {
	return string(e.Descriptor().Values().ByNumber(e.Number()).Name())
}

func names[E protoreflect.Enum](es []E) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		if e.Number() != 0 {
			out = append(out, Name(e))
		}
	}
	return out
}

func one(e protoreflect.Enum) []string {
	if e.Number() == 0 {
		return nil
	}
	return []string{Name(e)}
}

func orAll(vs []string) []string {
	if len(vs) == 0 {
		return []string{All}
	}
	return vs
}

func boolKey(b bool) []string {
	if b {
		return []string{"true"}
	}
	return []string{"false"}
}

func keywords(kv map[string][]string) map[string][]string {
	out := make(map[string][]string, len(kv))
	for k, v := range kv {
		var keep []string
		seen := map[string]bool{}
		for _, s := range v {
			if s != "" && !seen[s] {
				seen[s] = true
				keep = append(keep, s)
			}
		}
		if len(keep) > 0 {
			out[k] = keep
		}
	}
	return out
}

func marshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		// Marshalling a well-formed generated message does not fail.
		panic(err)
	}
	return b
}

// HSChapters returns the distinct two-digit chapters of HS codes.
func HSChapters(codes []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range codes {
		ch := refdata.HSChapter(c)
		if ch != "" && !seen[ch] {
			seen[ch] = true
			out = append(out, ch)
		}
	}
	return out
}

// FirmSummaryOf is a firm's display projection: no contacts, no figures.
func FirmSummaryOf(f *profilesv1.Firm) *matchv1.FirmSummary {
	return &matchv1.FirmSummary{
		Id: f.GetId(), Uscc: f.GetUscc(), Name: f.GetName(), District: f.GetDistrict(), Industry: f.GetIndustry(),
		Stage: f.GetStage(), MainProducts: f.GetMainProducts(), Platforms: f.GetPlatforms(),
		TargetMarkets: f.GetTargetMarkets(), Needs: f.GetNeeds(), Sample: f.GetSample(),
	}
}

// Readiness rates in [0, 1] how much a firm stands to gain from the
// programme now: firms that export but have not sold cross-border yet, or
// have just started, first; firms with needs and a filled-in profile
// before blank ones. It orders association prospects.
func Readiness(f *profilesv1.Firm) float64 {
	stage := map[commonv1.CrossBorderStage]float64{
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED:                 0.3,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE:                        0.5,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING:                   0.9,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED:          1.0,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER:                 0.8,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS:              0.5,
		commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND: 0.3,
	}[f.GetStage()]
	r := 0.55 * stage
	if ExportBase(f) {
		r += 0.25
	}
	filled := 0
	for _, ok := range []bool{len(f.GetNeeds()) > 0, len(f.GetTargetMarkets()) > 0, len(f.GetHsCodes()) > 0, f.GetMainProducts() != ""} {
		if ok {
			filled++
		}
	}
	r += 0.2 * float64(filled) / 4
	return float64(int(r*1000+0.5)) / 1000
}

// ExportBase reports a firm that already exports (a known export value
// above zero) but sells little or nothing cross-border yet.
func ExportBase(f *profilesv1.Firm) bool {
	if f.GetAnnualExportValueFen() <= 0 {
		return false
	}
	return f.GetStage() <= commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER
}

// FirmDocument is a firm's search document.
func FirmDocument(f *profilesv1.Firm, version int64) index.Document {
	var assoc []string
	for _, m := range f.GetMemberships() {
		assoc = append(assoc, m.GetAssociationId())
	}
	return index.Document{
		ID: f.GetId(), Version: version, Title: f.GetName(),
		Text: map[string]string{TProducts: f.GetMainProducts(), TNameEN: f.GetNameEn()},
		Keywords: keywords(map[string][]string{
			FUSCC: {f.GetUscc()}, FDistrict: one(f.GetDistrict()), FIndustry: one(f.GetIndustry()), FStage: one(f.GetStage()),
			FPlatforms: names(f.GetPlatforms()), FMarkets: f.GetTargetMarkets(), FNeeds: names(f.GetNeeds()),
			FHSCodes: f.GetHsCodes(), FHSChapters: HSChapters(f.GetHsCodes()), FAssociationIDs: assoc,
			FExportBase: boolKey(ExportBase(f)),
		}),
		Numbers: map[string]float64{NReadiness: Readiness(f)},
		Payload: marshal(FirmSummaryOf(f)),
	}
}

// AssociationSummaryOf is an association's display projection.
func AssociationSummaryOf(a *profilesv1.Association) *matchv1.AssociationSummary {
	return &matchv1.AssociationSummary{
		Id: a.GetId(), Name: a.GetName(), ShortName: a.GetShortName(), Type: a.GetType(), District: a.GetDistrict(),
		Industries: a.GetIndustries(), Services: a.GetServices(), Rating: a.GetRating(),
		JoinedProgramme: a.GetJoinedProgramme(), Sample: a.GetSample(),
	}
}

// AssociationDocument is an association's search document.
func AssociationDocument(a *profilesv1.Association, version int64) index.Document {
	return index.Document{
		ID: a.GetId(), Version: version, Title: a.GetName(),
		Text: map[string]string{TShortName: a.GetShortName(), TDescription: a.GetDescription()},
		Keywords: keywords(map[string][]string{
			FUSCC: {a.GetUscc()}, FDistrict: one(a.GetDistrict()), FIndustries: names(a.GetIndustries()),
			FServices: names(a.GetServices()), FType: one(a.GetType()), FJoined: boolKey(a.GetJoinedProgramme()),
		}),
		Payload: marshal(AssociationSummaryOf(a)),
	}
}

// PolicySummaryOf is a policy's display projection.
func PolicySummaryOf(p *catalogv1.Policy) *matchv1.PolicySummary {
	return &matchv1.PolicySummary{
		Id: p.GetId(), Title: p.GetTitle(), Issuer: p.GetIssuer(), Level: p.GetLevel(), Categories: p.GetCategories(),
		Districts: p.GetDistricts(), Summary: p.GetSummary(), Benefit: p.GetBenefit(), Validity: p.GetValidity(),
		ApplicationWindow: p.GetApplicationWindow(), Status: p.GetStatus(), Sample: p.GetSample(),
	}
}

func unix(t interface{ AsTime() time.Time }, isNil bool, def float64) float64 {
	if isNil {
		return def
	}
	return float64(t.AsTime().Unix())
}

// PolicyDocument is a policy's search document. ownerDistrict is the
// district whose officer edits it (district-level policies of one
// district), empty otherwise.
func PolicyDocument(p *catalogv1.Policy, version int64) index.Document {
	v := p.GetValidity()
	var owner []string
	if p.GetLevel() == catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT && len(p.GetDistricts()) == 1 {
		owner = []string{Name(p.GetDistricts()[0])}
	}
	return index.Document{
		ID: p.GetId(), Version: version, Title: p.GetTitle(),
		Text: map[string]string{
			TSummary: p.GetSummary(), TTags: strings.Join(p.GetTags(), "、"), TBenefit: p.GetBenefit().GetDescription(),
			TIssuer: p.GetIssuer(),
		},
		Keywords: keywords(map[string][]string{
			FStatus: one(p.GetStatus()), FLevel: one(p.GetLevel()), FDistricts: orAll(names(p.GetDistricts())),
			FIndustries: orAll(names(p.GetIndustries())), FStages: orAll(names(p.GetStages())),
			FCategories: names(p.GetCategories()), FOwnerDistrict: owner,
		}),
		Numbers: map[string]float64{
			NBenefitFen: float64(p.GetBenefit().GetMaxAmountFen()),
			NValidFrom:  unix(v.GetStartTime(), v.GetStartTime() == nil, 0),
			NValidTo:    unix(v.GetEndTime(), v.GetEndTime() == nil, NoEnd),
		},
		Payload: marshal(PolicySummaryOf(p)),
	}
}

// BeltSummaryOf is a belt's display projection.
func BeltSummaryOf(b *catalogv1.IndustryBelt) *matchv1.IndustryBeltSummary {
	return &matchv1.IndustryBeltSummary{
		Id: b.GetId(), BrandName: b.GetBrandName(), District: b.GetDistrict(), Industry: b.GetIndustry(),
		KeyProducts: b.GetKeyProducts(), HsChapters: b.GetHsChapters(), TargetMarkets: b.GetTargetMarkets(),
		AnchorPlatforms: b.GetAnchorPlatforms(), Status: b.GetStatus(), Sample: b.GetSample(),
	}
}

// BeltDocument is a belt's search document.
func BeltDocument(b *catalogv1.IndustryBelt, version int64) index.Document {
	return index.Document{
		ID: b.GetId(), Version: version, Title: b.GetBrandName(),
		Text: map[string]string{
			TProducts: strings.Join(b.GetKeyProducts(), "、"), TDescription: b.GetDescription(),
			TLocations: strings.Join(b.GetLocations(), "、"),
		},
		Keywords: keywords(map[string][]string{
			FStatus: one(b.GetStatus()), FDistrict: one(b.GetDistrict()), FIndustry: one(b.GetIndustry()),
			FHSChapters: b.GetHsChapters(), FMarkets: b.GetTargetMarkets(), FPlatforms: names(b.GetAnchorPlatforms()),
			FAssociationIDs: b.GetAssociationIds(),
		}),
		Payload: marshal(BeltSummaryOf(b)),
	}
}

// Payloads decode a hit's stored projection.

// FirmSummary decodes a firm document's payload.
func FirmSummary(d index.Document) (*matchv1.FirmSummary, error) {
	m := &matchv1.FirmSummary{}
	return m, proto.Unmarshal(d.Payload, m)
}

// AssociationSummary decodes an association document's payload.
func AssociationSummary(d index.Document) (*matchv1.AssociationSummary, error) {
	m := &matchv1.AssociationSummary{}
	return m, proto.Unmarshal(d.Payload, m)
}

// PolicySummary decodes a policy document's payload.
func PolicySummary(d index.Document) (*matchv1.PolicySummary, error) {
	m := &matchv1.PolicySummary{}
	return m, proto.Unmarshal(d.Payload, m)
}

// BeltSummary decodes a belt document's payload.
func BeltSummary(d index.Document) (*matchv1.IndustryBeltSummary, error) {
	m := &matchv1.IndustryBeltSummary{}
	return m, proto.Unmarshal(d.Payload, m)
}

// ExpertSummary decodes an expert document's payload.
func ExpertSummary(d index.Document) (*matchv1.ExpertSummary, error) {
	m := &matchv1.ExpertSummary{}
	return m, proto.Unmarshal(d.Payload, m)
}

// ExpertSummaryOf is an expert's display projection.
func ExpertSummaryOf(e *consultv1.Expert) *matchv1.ExpertSummary {
	return &matchv1.ExpertSummary{
		Id: e.GetId(), Name: e.GetName(), Organisation: e.GetOrganisation(), Specialties: e.GetSpecialties(),
		Stages: e.GetStages(), Markets: e.GetMarkets(), Platforms: e.GetPlatforms(), Districts: e.GetDistricts(),
		Online: e.GetOnline(), Sample: e.GetSample(),
	}
}

// ExpertDocument is an expert's search document; nextOpen is the start of
// the expert's earliest open slot (zero when none).
func ExpertDocument(e *consultv1.Expert, version int64, nextOpen time.Time) index.Document {
	var next float64
	if !nextOpen.IsZero() {
		next = float64(nextOpen.Unix())
	}
	return index.Document{
		ID: e.GetId(), Version: version, Title: e.GetName(),
		Text: map[string]string{TOrg: e.GetOrganisation(), TBio: e.GetBio()},
		Keywords: keywords(map[string][]string{
			FSpecialties: names(e.GetSpecialties()), FStages: names(e.GetStages()), FMarkets: e.GetMarkets(),
			FPlatforms: names(e.GetPlatforms()), FDistricts: names(e.GetDistricts()), FOnline: boolKey(e.GetOnline()),
			FPaused: boolKey(e.GetPaused()),
		}),
		Numbers: map[string]float64{NOpenSlotTo: next},
		Payload: marshal(ExpertSummaryOf(e)),
	}
}
