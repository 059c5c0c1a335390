// Package domain holds the catalog service's rules: who may read and edit
// support policies and industry belts, what makes them valid, and how stored
// policy status and time combine into what readers see.
//
// The contract's messages (qihang.catalog.v1.Policy, IndustryBelt) are the
// model here: the eligibility engine works on them directly and they carry no
// storage tags. The rules are plain functions over them.
package domain

import (
	"slices"
	"time"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Limits of policy and belt fields.
const (
	MaxTitleRunes        = 100
	MaxIssuerRunes       = 100
	MaxSummaryRunes      = 500
	MaxFullTextRunes     = 100_000
	MaxBenefitRunes      = 500
	MaxHowToApplyRunes   = 2000
	MaxEnquiryRunes      = 200
	MaxURLLength         = 500
	MaxTags              = 20
	MaxTagRunes          = 20
	MaxNoteRunes         = 500
	MaxBrandRunes        = 50
	MaxBeltDescription   = 5000
	MaxBeltLocations     = 20
	MaxBeltProducts      = 30
	MaxServiceProviders  = 30
	MaxBeltAssociations  = 50
	MaxProviderNameRunes = 100
)

// StoredStatus is what the store keeps: DRAFT, PUBLISHED or WITHDRAWN.
// EXPIRED is derived from the validity at read time.

// EffectiveStatus returns the status readers see: a published policy whose
// validity has ended is EXPIRED.
func EffectiveStatus(stored catalogv1.PolicyStatus, validity *commonv1.TimeWindow, now time.Time) catalogv1.PolicyStatus {
	if stored == catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED && validity.GetEndTime() != nil && !now.Before(validity.GetEndTime().AsTime()) {
		return catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED
	}
	return stored
}

// OwnerDistrict is the district whose officer may edit a policy: set only
// for district-level policies of exactly one district.
func OwnerDistrict(p *catalogv1.Policy) commonv1.District {
	if p.GetLevel() == catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT && len(p.GetDistricts()) == 1 {
		return p.GetDistricts()[0]
	}
	return commonv1.District_DISTRICT_UNSPECIFIED
}

// CanEditPolicy reports whether p may change, publish, withdraw or delete
// policy: a bureau admin any; a district officer the district-level policies
// of exactly its own district.
func CanEditPolicy(p auth.Principal, policy *catalogv1.Policy) bool {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return true
	case p.Is(auth.RoleDistrictOfficer):
		return OwnerDistrict(policy) == p.District
	}
	return false
}

// CanAuthorPolicies reports whether p may create policies at all.
func CanAuthorPolicies(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleDistrictOfficer)
}

// CanReadPolicy reports whether p may read policy: anyone a non-draft, the
// editors a draft.
func CanReadPolicy(p auth.Principal, policy *catalogv1.Policy) bool {
	return policy.GetStatus() != catalogv1.PolicyStatus_POLICY_STATUS_DRAFT || CanEditPolicy(p, policy)
}

// CanEditBelt reports whether p may change belt: a bureau admin any, a
// district officer those of its district.
func CanEditBelt(p auth.Principal, belt *catalogv1.IndustryBelt) bool {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return true
	case p.Is(auth.RoleDistrictOfficer):
		return belt.GetDistrict() == p.District
	}
	return false
}

// CanAuthorBelts reports whether p may write belts at all.
func CanAuthorBelts(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleDistrictOfficer)
}

// CanReadBelt reports whether p may read belt: anyone a published one, its
// editors any.
func CanReadBelt(p auth.Principal, belt *catalogv1.IndustryBelt) bool {
	return belt.GetStatus() == catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED || CanEditBelt(p, belt)
}

// PolicyScope is what a caller may see in policy lists besides non-drafts:
// all drafts (bureau), the drafts of one district (officer), or none.
type PolicyScope struct {
	AllDrafts     bool
	DraftDistrict commonv1.District
}

// PolicyScopeFor returns p's list scope.
func PolicyScopeFor(p auth.Principal) PolicyScope {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return PolicyScope{AllDrafts: true}
	case p.Is(auth.RoleDistrictOfficer):
		return PolicyScope{DraftDistrict: p.District}
	}
	return PolicyScope{}
}

// BeltScope is what a caller may see in belt lists besides published belts.
type BeltScope struct {
	AllUnpublished      bool
	UnpublishedDistrict commonv1.District
}

// BeltScopeFor returns p's belt list scope.
func BeltScopeFor(p auth.Principal) BeltScope {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return BeltScope{AllUnpublished: true}
	case p.Is(auth.RoleDistrictOfficer):
		return BeltScope{UnpublishedDistrict: p.District}
	}
	return BeltScope{}
}

// PolicyFilter selects policies in lists.
type PolicyFilter struct {
	Category     catalogv1.PolicyCategory
	Level        catalogv1.PolicyLevel
	District     commonv1.District
	Industry     commonv1.Industry
	Status       catalogv1.PolicyStatus
	OpenNow      bool
	Tag          string
	TextContains string
}

// BeltFilter selects belts in lists.
type BeltFilter struct {
	District      commonv1.District
	Industry      commonv1.Industry
	Status        catalogv1.IndustryBeltStatus
	AssociationID string
}

func dedupe[T comparable](in []T) []T {
	if len(in) == 0 {
		return in
	}
	out := make([]T, 0, len(in))
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
